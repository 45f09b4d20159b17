import Foundation
import XCTest

@testable import DjsecCore

/// The pack reader against git itself: every blob djsec reads from the packs
/// and loose objects must be exactly the blob `git cat-file` gives, in stores
/// git wrote with deltas (deep chains, aggressive repacks), several packs,
/// an object in two packs, and loose objects; a store it does not read
/// (alternates, SHA-256) is left to git; a damaged pack is an error naming
/// the object, never wrong bytes.
final class ObjectStoreTests: XCTestCase {
  private var folder: URL!

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-objects-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: folder)
  }

  @discardableResult
  private func git(_ args: [String], in dir: URL? = nil, input: Data? = nil) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"] + args
    p.currentDirectoryURL = dir ?? folder
    let out = Pipe()
    let inPipe = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    p.standardInput = inPipe
    try p.run()
    if let input { inPipe.fileHandleForWriting.write(input) }
    try inPipe.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, "git \(args)")
    return data
  }

  /// Every blob in the store as git reads it: id → bytes.
  private func blobsByGit(_ dir: URL) throws -> [String: [UInt8]] {
    let data = try git(["cat-file", "--batch-all-objects", "--batch", "--unordered"], in: dir)
    var out: [String: [UInt8]] = [:]
    let b = [UInt8](data)
    var i = 0
    while i < b.count {
      let nl = b[i...].firstIndex(of: 10)!
      let parts = String(decoding: b[i..<nl], as: UTF8.self).split(separator: " ")
      let size = Int(parts[2])!
      if parts[1] == "blob" { out[String(parts[0])] = Array(b[(nl + 1)..<(nl + 1 + size)]) }
      i = nl + 1 + size + 1
    }
    return out
  }

  private func blobsByDjsec(_ dir: URL, maxSize: Int = 1 << 30, workers: Int = 3) throws -> [String: [UInt8]?] {
    let (blobs, damaged) = try readStore(dir, maxSize: maxSize, workers: workers)
    XCTAssertEqual(damaged, [], "objects read as damaged")
    return blobs
  }

  private func readStore(_ dir: URL, maxSize: Int = 1 << 30, workers: Int = 3) throws -> ([String: [UInt8]?], [String]) {
    let store = try XCTUnwrap(ObjectStore.open(try GitRepository.open(dir)), "the pack reader should read this store")
    let lock = NSLock()
    nonisolated(unsafe) var out: [String: [UInt8]?] = [:]
    nonisolated(unsafe) var twice: [String] = []
    let damaged = try store.forEachBlob(workers: workers, maxSize: maxSize) { _, id, bytes in
      lock.withLock {
        if out[id] != nil { twice.append(id) }
        out[id] = .some(bytes)
      }
    }
    XCTAssertEqual(twice.count, 0, "blobs read twice: \(twice.prefix(3))")
    return (out, damaged)
  }

  private func digest(_ bytes: [UInt8]?) -> String {
    bytes.map { "\($0.count) bytes, " + SecretDigest.hex($0) } ?? "not read"
  }

  /// A history whose files change a little at each commit: what git stores
  /// as long delta chains once it repacks.
  private func makeHistory(_ dir: URL, commits: Int) throws {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try git(["init", "-q", "-b", "main"], in: dir)
    var lines = (0..<400).map { "line \($0): \(String(repeating: "x", count: $0 % 50))" }
    for c in 0..<commits {
      lines[(c * 37) % lines.count] = "changed at \(c) " + String(repeating: "y", count: c % 70)
      lines.insert("inserted \(c)", at: (c * 11) % lines.count)
      try lines.joined(separator: "\n").write(to: dir.appendingPathComponent("settings.py"), atomically: true, encoding: .utf8)
      try (lines.reversed().joined(separator: "\n") + "\(c)").write(
        to: dir.appendingPathComponent("other.txt"), atomically: true, encoding: .utf8)
      // Binary bytes too, and an empty file.
      try Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 * (c + 1)) }).write(to: dir.appendingPathComponent("data.bin"))
      try Data().write(to: dir.appendingPathComponent("empty"))
      try git(["add", "-A"], in: dir)
      try git(["commit", "-q", "-m", "c\(c)"], in: dir)
    }
  }

  func testEveryBlobMatchesGitInAnAggressivelyRepackedStoreWithLooseObjectsAndTwoPacks() throws {
    let repo = folder.appendingPathComponent("repo")
    try makeHistory(repo, commits: 60)
    try git(["gc", "-q", "--aggressive", "--prune=now"], in: repo)
    // A second pack with newer objects, then loose objects on top.
    try "second pack\n".write(to: repo.appendingPathComponent("second.txt"), atomically: true, encoding: .utf8)
    try git(["add", "-A"], in: repo)
    try git(["commit", "-q", "-m", "second"], in: repo)
    try git(["repack", "-q", "-d"], in: repo)
    try "loose\n".write(to: repo.appendingPathComponent("loose.txt"), atomically: true, encoding: .utf8)
    try git(["add", "-A"], in: repo)
    try git(["commit", "-q", "-m", "loose"], in: repo)
    // The same objects once more in a third pack: read once.
    let ids = try git(["rev-list", "--objects", "HEAD~3..HEAD"], in: repo)
    let onlyIDs = String(decoding: ids, as: UTF8.self).split(separator: "\n").map { $0.prefix(40) }.joined(separator: "\n") + "\n"
    try git(["pack-objects", "-q", ".git/objects/pack/pack"], in: repo, input: Data(onlyIDs.utf8))

    let packs = try FileManager.default.contentsOfDirectory(atPath: repo.appendingPathComponent(".git/objects/pack").path)
    XCTAssertGreaterThanOrEqual(packs.filter { $0.hasSuffix(".pack") }.count, 3)
    let expected = try blobsByGit(repo)
    let read = try blobsByDjsec(repo)
    XCTAssertEqual(read.count, expected.count)
    XCTAssertEqual(Set(read.keys).symmetricDifference(expected.keys).count, 0)
    // Compared by digest: a failure must not print whole blobs.
    for (id, bytes) in expected { XCTAssertEqual(digest(read[id] ?? nil), digest(bytes), "blob \(id)") }
    let deltas = try git(["verify-pack", "-v"] + packs.filter { $0.hasSuffix(".idx") }.map { ".git/objects/pack/" + $0 }, in: repo)
    XCTAssertTrue(String(decoding: deltas, as: UTF8.self).contains("chain length = 10"), "the fixture should hold long delta chains")
  }

  func testBlobsOverTheSizeLimitAreCountedNotRead() throws {
    let repo = folder.appendingPathComponent("repo")
    try makeHistory(repo, commits: 5)
    try git(["gc", "-q"], in: repo)
    let all = try blobsByDjsec(repo)
    let small = try blobsByDjsec(repo, maxSize: 3000)
    XCTAssertEqual(Set(all.keys), Set(small.keys))
    for (id, bytes) in all {
      let size = (bytes ?? []).count
      XCTAssertEqual(digest(small[id] ?? nil), digest(size > 3000 ? nil : bytes), "blob \(id) of \(size) bytes")
    }
  }

  /// A run ends with one object of any size: past the 16 MiB a run reads
  /// at once, it is read on its own, and still matches git's bytes.
  func testAnObjectLargerThanARunsWindowIsReadWhole() throws {
    let repo = folder.appendingPathComponent("repo")
    try makeHistory(repo, commits: 3)
    // 20 MiB that do not compress: the pack holds them as they are.
    let random = try XCTUnwrap(FileHandle(forReadingAtPath: "/dev/urandom"))
    try random.readData(ofLength: 20 << 20).write(to: repo.appendingPathComponent("video.bin"))
    try random.close()
    try "after\n".write(to: repo.appendingPathComponent("after.txt"), atomically: true, encoding: .utf8)
    try git(["add", "-A"], in: repo)
    try git(["commit", "-q", "-m", "big"], in: repo)
    try git(["gc", "-q"], in: repo)
    let expected = try blobsByGit(repo)
    let read = try blobsByDjsec(repo, maxSize: 64 << 20)
    XCTAssertEqual(read.count, expected.count)
    for (id, bytes) in expected { XCTAssertEqual(digest(read[id] ?? nil), digest(bytes), "blob \(id)") }
  }

  func testStoresItDoesNotReadAreLeftToGit() throws {
    let repo = folder.appendingPathComponent("repo")
    try makeHistory(repo, commits: 2)
    let shared = folder.appendingPathComponent("shared")
    try git(["clone", "-q", "--shared", repo.path, shared.path])
    XCTAssertNil(ObjectStore.open(try GitRepository.open(shared)), "a store with alternates")
    let sha256 = folder.appendingPathComponent("sha256")
    try FileManager.default.createDirectory(at: sha256, withIntermediateDirectories: true)
    try git(["init", "-q", "--object-format=sha256"], in: sha256)
    XCTAssertNil(ObjectStore.open(try GitRepository.open(sha256)), "a SHA-256 store")
  }

  /// A damaged object is that object's loss, named by id: the rest of the
  /// pack is still read (the scan names it in a warning with git's words).
  func testADamagedPackLosesOnlyItsDamagedObjects() throws {
    let repo = folder.appendingPathComponent("repo")
    try makeHistory(repo, commits: 3)
    try git(["gc", "-q"], in: repo)
    let packFolder = repo.appendingPathComponent(".git/objects/pack")
    let pack = try XCTUnwrap(
      try FileManager.default.contentsOfDirectory(atPath: packFolder.path).first { $0.hasSuffix(".pack") })
    let url = packFolder.appendingPathComponent(pack)
    // Pack files are read-only; flip bytes in the middle of the object data.
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
    var bytes = [UInt8](try Data(contentsOf: url))
    for i in stride(from: bytes.count / 3, to: bytes.count * 2 / 3, by: 97) { bytes[i] ^= 0x5A }
    try Data(bytes).write(to: url)
    let (blobs, damaged) = try readStore(repo)
    XCTAssertFalse(damaged.isEmpty, "flipped bytes went unnoticed")
    XCTAssertTrue(damaged.allSatisfy { $0.count == 40 && $0.allSatisfy(\.isHexDigit) }, "\(damaged)")
    XCTAssertFalse(blobs.isEmpty, "the undamaged objects are still read")
    XCTAssertTrue(Set(blobs.keys).isDisjoint(with: damaged))
  }
}
