import DjsecTestSupport
import Foundation
import XCTest

/// djsec reads pack files itself (ObjectStore.swift), and a repository to
/// scan may come from anyone. Packs written by hand from gitformat-pack(5)
/// with Python's zlib and hashlib, not by djsec or git, each lie in one way:
/// a size no memory can hold, a delta chain that loops, a delta that copies
/// past its base, an object shorter than its own header. Each scan ends in
/// one error line naming a corrupt object (exit 2) when nothing could be
/// read, a warning naming it when the rest could, or, for a blob too large
/// to read, a skip, never in a crash, a hang or an allocation of the claim.
final class HostilePackTests: XCTestCase {
  private static let writer = #"""
    import hashlib, struct, sys, zlib

    def header(kind, size):
        out = bytearray()
        b = (kind << 4) | (size & 15)
        size >>= 4
        while size:
            out.append(b | 0x80)
            b = size & 0x7F
            size >>= 7
        out.append(b)
        return bytes(out)

    def ofs(distance):
        out = [distance & 0x7F]
        distance >>= 7
        while distance:
            distance -= 1
            out.insert(0, 0x80 | (distance & 0x7F))
            distance >>= 7
        return bytes(out)

    def varint(n):
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def write(folder, objects):
        # objects: list of (fake id, bytes at that offset); ids need only be unique and sorted in the index.
        body = b"PACK" + struct.pack(">II", 2, len(objects))
        entries = []
        for oid, raw in objects:
            entries.append((oid, len(body), zlib.crc32(raw)))
            body += raw
        body += hashlib.sha1(body).digest()
        entries.sort()
        idx = b"\xfftOc" + struct.pack(">I", 2)
        for i in range(256):
            idx += struct.pack(">I", sum(1 for e in entries if e[0][0] <= i))
        idx += b"".join(e[0] for e in entries)
        idx += b"".join(struct.pack(">I", e[2]) for e in entries)
        idx += b"".join(struct.pack(">I", e[1]) for e in entries)
        idx += body[-20:]
        idx += hashlib.sha1(idx).digest()
        name = folder + "/pack-" + hashlib.sha1(body).hexdigest()
        open(name + ".pack", "wb").write(body)
        open(name + ".idx", "wb").write(idx)

    folder, case = sys.argv[1], sys.argv[2]
    a, b = bytes([0x11] * 20), bytes([0x22] * 20)
    base = b"SECRET = 'not a real one'\n" * 4
    whole = header(3, len(base)) + zlib.compress(base)
    if case == "huge-blob":
        write(folder, [(a, header(3, 1 << 50) + zlib.compress(b"x"))])
    elif case == "huge-delta":
        delta = header(6, 1 << 50) + ofs(len(whole) + 0) + zlib.compress(b"x")
        write(folder, [(a, whole), (b, delta)])
    elif case == "ref-delta-loop":
        d = varint(10) + varint(10) + bytes([10]) + b"0123456789"
        write(folder, [(a, header(7, len(d)) + b + zlib.compress(d)), (b, header(7, len(d)) + a + zlib.compress(d))])
    elif case == "copy-past-base":
        d = varint(len(base)) + varint(64) + bytes([0x80 | 0x01 | 0x10, 0xF0, 64])
        write(folder, [(a, whole), (b, header(6, len(d)) + ofs(len(whole)) + zlib.compress(d))])
    elif case == "short-object":
        # The second object starts inside the first one's header.
        write(folder, [(a, header(3, 1 << 20)[:1]), (b, zlib.compress(b"y"))])
    """#

  private func scan(_ attack: String) throws -> Run {
    let repo = try CLI.temporaryFolder("hostile-\(attack)")
    addTeardownBlock { try? FileManager.default.removeItem(at: repo) }
    XCTAssertEqual(try CLI.git(["init", "-q"], in: repo).status, 0)
    let packs = repo.appendingPathComponent(".git/objects/pack")
    let made = try CLI.run(try CLI.python(), ["-c", Self.writer, packs.path, attack])
    XCTAssertEqual(made.status, 0, made.stderr)
    return try CLI.djsec(["scan", repo.path, "--format", "json"])
  }

  /// Nothing readable: one error line naming a corrupt object (exit 2).
  func testLyingPacksEndInOneErrorLine() throws {
    for attack in ["ref-delta-loop", "short-object"] {
      let r = try scan(attack)
      XCTAssertEqual(r.status, 2, "\(attack): \(r.stderr)")
      let lines = r.stderr.split(separator: "\n")
      XCTAssertTrue(lines.first?.hasPrefix("djsec: error: git object ") ?? false, "\(attack): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains("is missing or corrupt"), "\(attack): \(r.stderr)")
    }
  }

  /// One lying object beside a sound one: the sound one is scanned, the
  /// liar named in a warning, and the scan's outcome stands (exit 0 here).
  func testALyingObjectBesideASoundOneIsNamedAndTheRestScanned() throws {
    let r = try scan("copy-past-base")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stderr.contains("djsec: warning: object " + String(repeating: "2", count: 40) + " is damaged"), r.stderr)
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    XCTAssertEqual((object?["stats"] as? [String: Any])?["blobsScanned"] as? Int, 1, r.stdout)
  }

  func testABlobOrDeltaClaimingPetabytesIsSkippedAsTooLarge() throws {
    for attack in ["huge-blob", "huge-delta"] {
      let r = try scan(attack)
      XCTAssertEqual(r.status, 0, "\(attack): \(r.stderr)")
      let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      let stats = try XCTUnwrap(object?["stats"] as? [String: Any])
      XCTAssertEqual(stats["skippedLarge"] as? Int, 1, attack)
    }
  }
}

/// A damaged commit or blob in a real repository (a loose object
/// overwritten, as a failing disk or an interrupted copy leaves it) no
/// longer hides the findings elsewhere: each loss is a warning naming the
/// object with git's own message, and the scan reports the rest.
final class CorruptObjectTests: XCTestCase {
  func testADamagedCommitAndBlobAreWarningsAndTheOtherKeysAreReported() throws {
    let repo = try GitFixture("corrupt-objects")
    let first = SecretGenerator.make("django_key")!
    let last = SecretGenerator.make("django_key")!
    try repo.commit("one", files: ["a.py": "SECRET_KEY = \"\(first)\"\n"])
    let middle = try repo.commit("two", files: ["notes.txt": "nothing here\n", "other.txt": "lost\n"])
    try repo.commit("three", files: ["b.py": "SECRET_KEY = \"\(last)\"\n"])
    let lostBlob = try repo.git("rev-parse", "\(middle):other.txt")
    for id in [middle, lostBlob] {
      let file = repo.root.appendingPathComponent(".git/objects/\(id.prefix(2))/\(id.dropFirst(2))")
      try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
      try Data("not zlib at all".utf8).write(to: file)
    }
    let r = try repo.scan()
    XCTAssertEqual(r.status, 1, r.stderr)
    XCTAssertEqual(Set(r.findings.compactMap { $0["secret"] as? String }), [first, last], r.stderr)
    for id in [middle, lostBlob] {
      XCTAssertTrue(r.stderr.contains("djsec: warning: object \(id) is damaged and was not scanned (git: "), r.stderr)
    }
    XCTAssertTrue(r.stderr.contains("git log stopped early (git: "), r.stderr)
    XCTAssertFalse(r.stderr.contains("djsec: error:"), r.stderr)
  }
}
