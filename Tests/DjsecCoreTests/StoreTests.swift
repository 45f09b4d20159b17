import Foundation
import XCTest

@testable import DjsecCore

/// The encrypted store: round trips, stable ciphertext, and every way a
/// tampered file must be refused (each beside the success case).
final class StoreTests: XCTestCase {
  private var folder: URL!
  private var storeURL: URL { folder.appendingPathComponent("secrets.djsec") }
  private var ring: KeyRing { KeyRing(keysFolder: folder.appendingPathComponent("keys"), environment: [:]) }
  private var trust: TrustSettings { TrustSettings(recordFolder: folder.appendingPathComponent("state")) }
  private let noPassphrase: (KeyFile) throws(StoreError) -> [UInt8] = { k throws(StoreError) in throw .noPassphrase(keyFile: k.path) }

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let (pair, _) = try KeyStoreFiles.create(in: folder.appendingPathComponent("keys"), label: "alice", passphrase: nil)
    let store = try SecretStore.create(at: storeURL, opener: pair, label: "alice", trust: trust)
    try store.set("API_TOKEN", Array("token-value".utf8))
    try store.set("DB_PASSWORD", Array("p\"w\\d".utf8))
    try store.set("SECRET_KEY", Array("k".utf8))
    try store.save()
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

  private func open(_ access: SecretStore.Access = .write) throws -> SecretStore {
    try SecretStore.open(storeURL, keyRing: ring, passphrase: noPassphrase, trust: trust, access: access)
  }
  private var text: String { get throws { try String(contentsOf: storeURL, encoding: .utf8) } }
  private func write(_ t: String) throws { try t.write(to: storeURL, atomically: true, encoding: .utf8) }

  private func assertRefused(_ t: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
    try write(t)
    XCTAssertThrowsError(try open(), file: file, line: line) { error in
      let message = (error as? StoreError)?.message ?? "\(error)"
      XCTAssertTrue(message.contains(fragment), "\(message) should mention \(fragment)", file: file, line: line)
    }
  }

  func testRoundTrip() throws {
    let store = try open()
    XCTAssertEqual(store.names, ["API_TOKEN", "DB_PASSWORD", "SECRET_KEY"])
    XCTAssertEqual(try store.string("DB_PASSWORD"), "p\"w\\d")
    XCTAssertThrowsError(try store.value("NOPE")) { XCTAssertEqual(($0 as? StoreError)?.exitCode, 1) }
  }

  func testUnchangedValuesKeepTheirCiphertextAndNoSaveChangesNothing() throws {
    let before = try text
    let store = try open()
    try store.set("DB_PASSWORD", Array("p\"w\\d".utf8))
    try store.save()
    XCTAssertEqual(try text, before, "setting the same value must not rewrite the file")
    try store.set("API_TOKEN", Array("new".utf8))
    try store.save()
    let after = try text
    let changed = zip(before.split(separator: "\n"), after.split(separator: "\n")).filter { $0 != $1 }
    XCTAssertEqual(
      changed.map { $0.0.split(separator: " ").prefix(2).joined(separator: " ") },
      [
        "generation: 1", "secret: API_TOKEN", "mac: \(before.split(separator: "\n").dropLast().last!.dropFirst(5))",
        "signature: \(lines(before).last!.split(separator: " ")[1])",
      ])
  }

  private func lines(_ t: String) -> [String] { t.split(separator: "\n").map(String.init) }

  func testFlippedBytesAnywhereAreRefused() throws {
    let good = try text
    let lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    func flipped(_ index: Int) -> String {
      var l = lines
      var chars = Array(l[index])
      let at = chars.count - 6
      chars[at] = chars[at] == "A" ? "B" : "A"
      l[index] = String(chars)
      return l.joined(separator: "\n")
    }
    let secretLine = lines.firstIndex { $0.hasPrefix("secret: DB_PASSWORD") }!
    try assertRefused(flipped(secretLine), "entry DB_PASSWORD")
    try assertRefused(flipped(lines.firstIndex { $0.hasPrefix("id:") }!), "integrity check failed")
    try assertRefused(flipped(lines.firstIndex { $0.hasPrefix("mac:") }!), "integrity check failed")
    try assertRefused(flipped(lines.firstIndex { $0.hasPrefix("recipient:") }!), "integrity check failed")
    try assertRefused(good.replacingOccurrences(of: "generation: 1\n", with: "generation: 9\n"), "integrity check failed")
    try assertRefused(flipped(lines.firstIndex { $0.hasPrefix("signature:") }!), "signature")
    try write(good)
    XCTAssertNoThrow(try open())
  }

  func testDeletedDuplicatedReorderedAndRolledBackEntriesAreRefused() throws {
    let good = try text
    var lines = good.split(separator: "\n").map(String.init)
    let a = lines.firstIndex { $0.hasPrefix("secret: API_TOKEN") }!
    let b = lines.firstIndex { $0.hasPrefix("secret: DB_PASSWORD") }!
    var deleted = lines
    deleted.remove(at: a)
    try assertRefused(deleted.joined(separator: "\n") + "\n", "MAC does not match")
    var duplicated = lines
    duplicated.insert(lines[a], at: a)
    try assertRefused(duplicated.joined(separator: "\n") + "\n", "entry API_TOKEN is out of order or repeated")
    var reordered = lines
    reordered.swapAt(a, b)
    try assertRefused(reordered.joined(separator: "\n") + "\n", "out of order")
    // Roll one entry back to an older, validly encrypted copy.
    let old = lines[a]
    try write(good)
    let store = try open()
    try store.set("API_TOKEN", Array("rotated".utf8))
    try store.save()
    lines = try text.split(separator: "\n").map(String.init)
    lines[lines.firstIndex { $0.hasPrefix("secret: API_TOKEN") }!] = old
    try assertRefused(lines.joined(separator: "\n") + "\n", "MAC does not match")
    // A value moved under another name does not open.
    lines = try text.split(separator: "\n").map(String.init)
    let value = lines[b].split(separator: " ")[2]
    lines[lines.firstIndex { $0.hasPrefix("secret: SECRET_KEY") }!] = "secret: SECRET_KEY \(value)"
    try assertRefused(lines.joined(separator: "\n") + "\n", "entry SECRET_KEY")
  }

  func testVersionsMalformedLinesAndWrongKeys() throws {
    let good = try text
    try assertRefused(good.replacingOccurrences(of: "djsec-store: 2", with: "djsec-store: 3"), "format version 3")
    try assertRefused(good.replacingOccurrences(of: "generation: 1", with: "generation: 01"), "generation must be a number")
    try assertRefused(good.replacingOccurrences(of: "mac: ", with: "<<<<<<< HEAD\nmac: "), "conflict markers")
    try assertRefused(good + "signature: x\n", "nothing may follow the signature line")
    try assertRefused(good.replacingOccurrences(of: "secret: API_TOKEN", with: "secrit: API_TOKEN"), "secrets.djsec:6: unknown line")
    try write(good)
    let other = folder.appendingPathComponent("other")
    _ = try KeyStoreFiles.create(in: other, label: "mallory", passphrase: nil)
    XCTAssertThrowsError(
      try SecretStore.open(
        storeURL, keyRing: KeyRing(keysFolder: other, environment: [:]), passphrase: noPassphrase, trust: trust, access: .read)
    ) {
      XCTAssertEqual($0 as? StoreError, .noKeyOpens(store: "secrets.djsec", recipients: ["alice"]))
    }
  }

  func testRemovingARecipientRotatesTheDataKey() throws {
    let bobFolder = folder.appendingPathComponent("bob")
    let (bob, _) = try KeyStoreFiles.create(in: bobFolder, label: "bob", passphrase: nil)
    let store = try open()
    try store.addRecipient(label: "bob", identity: PublicIdentity(bob))
    try store.save()
    let bobRing = KeyRing(keysFolder: bobFolder, environment: [:])
    let bobTrust = TrustSettings(recordFolder: folder.appendingPathComponent("bob-state"))
    func asBob(_ access: SecretStore.Access) throws -> SecretStore {
      try SecretStore.open(storeURL, keyRing: bobRing, passphrase: noPassphrase, trust: bobTrust, access: access)
    }
    // Bob has never accepted alice: first contact is refused until he reviews it.
    XCTAssertThrowsError(try asBob(.read)) {
      XCTAssertEqual(
        $0 as? StoreError,
        .trust(
          .untrusted(
            store: "secrets.djsec", signer: "alice", fingerprint: try! PublicIdentity(self.alicePair()).fingerprint, reason: .firstContact))
      )
    }
    try asBob(.review).accept()
    XCTAssertEqual(try asBob(.read).string("API_TOKEN"), "token-value")
    let before = try text
    let again = try open()
    try again.removeRecipient(label: "bob")
    try again.save()
    let after = try text
    XCTAssertEqual(before.split(separator: "\n")[2], after.split(separator: "\n")[2], "the store id stays across rotations")
    XCTAssertNotEqual(
      lines(before).first { $0.hasPrefix("secret: API_TOKEN") }, lines(after).first { $0.hasPrefix("secret: API_TOKEN") },
      "every value is encrypted again")
    XCTAssertThrowsError(try asBob(.read)) { XCTAssertEqual($0 as? StoreError, .noKeyOpens(store: "secrets.djsec", recipients: ["alice"])) }
    // Rolled back to the copy bob could open: alice reads with a warning verdict, but never writes to it.
    try write(before)
    XCTAssertEqual(try open(.read).verdict, .older(generation: 2, seen: 3, retiredKey: true))
    XCTAssertThrowsError(try open(.write)) { XCTAssertEqual($0 as? StoreError, .trust(.retiredDataKey(store: "secrets.djsec"))) }
    try write(after)
    XCTAssertEqual(try open().string("DB_PASSWORD"), "p\"w\\d")
    XCTAssertThrowsError(try open().removeRecipient(label: "alice")) { XCTAssertEqual($0 as? StoreError, .lastRecipient(label: "alice")) }
  }

  private func alicePair() throws -> KeyPair {
    try KeyFile.read(folder.appendingPathComponent("keys/alice.key")).unlock { () throws(StoreError) in [] }
  }

  func testOversizedFilesAndLinesAreRefusedBeforeParsing() throws {
    let good = try text
    let long = "config: NOTE " + String(repeating: "x", count: StoreFile.maxLineBytes) + "\n"
    try assertRefused(good.replacingOccurrences(of: "recipient: ", with: long + "recipient: "), "larger than djsec reads (1 MiB per line)")
    let big = FileManager.default.createFile(atPath: storeURL.path, contents: Data(count: StoreFile.maxFileBytes + 1))
    XCTAssertTrue(big)
    XCTAssertThrowsError(try open()) { XCTAssertEqual($0 as? StoreError, .tooLarge(file: "secrets.djsec", limit: "64 MiB")) }
  }

  func testSignatureByAKeyThatIsNotARecipientIsRefused() throws {
    // A valid MAC (the data key is known here) signed by an outsider: refused before any trust decision.
    let store = try open()
    try store.set("X", Array("y".utf8))
    try store.save()
    var lines = lines(try text)
    let outsider = try KeyPair().signing()
    let signed = lines.dropLast().joined(separator: "\n") + "\n"
    lines[lines.count - 1] =
      "signature: \(Data(outsider.publicKey).base64EncodedString()) \(Data(try outsider.sign(Array(signed.utf8))).base64EncodedString())"
    try assertRefused(lines.joined(separator: "\n") + "\n", "not by one of the store's recipients")
  }

  func testPassphraseProtectedKeys() throws {
    let pair = try KeyPair()
    let text = try KeyFile.text(label: "p", pair: pair, passphrase: Array("correct horse".utf8), limits: .testOnlyMinimum)
    let url = folder.appendingPathComponent("p.key")
    try text.write(to: url, atomically: true, encoding: .utf8)
    chmod(url.path, 0o600)
    XCTAssertFalse(text.contains(pair.privateKey.withUnsafeBytes { Data($0).base64EncodedString() }))
    let file = try KeyFile.read(url)
    XCTAssertTrue(file.isPassphraseProtected)
    XCTAssertEqual(try file.unlock { () throws(StoreError) in Array("correct horse".utf8) }.publicKey, pair.publicKey)
    XCTAssertThrowsError(try file.unlock { () throws(StoreError) in Array("wrong".utf8) }) {
      XCTAssertEqual($0 as? StoreError, .wrongPassphrase(keyFile: url.path))
    }
  }

  func testSecretKeyRotationKeepsFallbacks() throws {
    let store = try open()
    try Rotation.rotateSecretKey(store, keep: 2)
    let first = try store.string("SECRET_KEY")
    XCTAssertEqual(try SecretKeyEntries.fallbackKeys(in: store), ["k"])
    try Rotation.rotateSecretKey(store, keep: 2)
    XCTAssertEqual(try SecretKeyEntries.fallbackKeys(in: store), [first, "k"])
    try Rotation.rotateSecretKey(store, keep: 1)
    XCTAssertEqual(try SecretKeyEntries.fallbackKeys(in: store).count, 1)
    XCTAssertEqual(KeyPolicy.weaknesses(of: try store.string("SECRET_KEY")), [])
  }
}
