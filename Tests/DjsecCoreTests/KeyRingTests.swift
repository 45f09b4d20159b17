import Foundation
import XCTest

@testable import DjsecCore

/// Which key files djsec trusts and which key a new store is sealed to, each
/// refusal beside the case that works.
final class KeyRingTests: XCTestCase {
  private var folder: URL!
  private var keys: URL { folder.appendingPathComponent("keys") }

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-keyring-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

  private func ring(_ folders: [URL]? = nil, _ variables: [String: String] = [:], selection: String? = nil) -> KeyRing {
    KeyRing(folders: folders ?? [keys], environment: DjsecEnvironment(variables), selection: selection)
  }

  private func keyError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> KeyFileError? {
    do { try body() } catch let StoreError.key(error) { return error } catch {
      XCTFail("not a key error: \(error)", file: file, line: line)
    }
    return nil
  }

  private func git(_ args: String...) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    p.arguments = args
    p.currentDirectoryURL = folder
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, "git \(args)")
  }

  func testAKeyGitTracksIsRefusedByName() throws {
    _ = try KeyStoreFiles.create(in: keys, label: "alice", passphrase: nil)
    try git("init", "-q")
    XCTAssertEqual(try ring().candidates().map(\.label), ["alice"])
    try git("add", "-f", "keys/alice.key")
    let path = keys.appendingPathComponent("alice.key").path
    XCTAssertEqual(keyError { _ = try ring().candidates() }, .tracked(path: path))
  }

  func testModeAndOwnerOfAKeyFile() throws {
    let (_, url) = try KeyStoreFiles.create(in: keys, label: "alice", passphrase: nil)
    chmod(url.path, 0o604)
    XCTAssertEqual(keyError { _ = try ring().candidates() }, .openToOthers(path: url.path, mode: 0o604))
    XCTAssertEqual(KeyFileError.openToOthers(path: url.path, mode: 0o620).message.contains("can be changed by others (mode 0620)"), true)
    chmod(url.path, 0o400)
    XCTAssertEqual(try ring().candidates().count, 1)
    guard getuid() == 0 else { return }
    chown(url.path, 65534, 65534)
    XCTAssertEqual(keyError { _ = try ring().candidates() }, .foreignOwner(path: url.path, uid: 65534))
  }

  func testANewStoreIsSealedToTheOnlyKeyOrTheNamedOne() throws {
    XCTAssertEqual(
      keyError { _ = try ring().keyForNewStore() }, .noKeys(searched: [keys.path + "/", "DJSEC_PRIVATE_KEY", "DJSEC_KEY_FILE"]))
    let (alice, aliceURL) = try KeyStoreFiles.create(in: keys, label: "alice", passphrase: nil)
    XCTAssertEqual(try ring().keyForNewStore().publicKey, alice.publicKey)
    let (bob, _) = try KeyStoreFiles.create(in: keys, label: "bob", passphrase: nil)
    guard case .severalKeys(let listed) = keyError({ _ = try ring().keyForNewStore() }) else { return XCTFail("several keys accepted") }
    XCTAssertEqual(listed.count, 2)
    XCTAssertEqual(try ring(selection: "bob").keyForNewStore().publicKey, bob.publicKey)
    XCTAssertEqual(try ring(selection: aliceURL.path).keyForNewStore().publicKey, alice.publicKey)
    XCTAssertEqual(keyError { _ = try ring(selection: "carol").candidates() }, .unknownKey("carol", available: ["alice", "bob"]))
    // The same key reached twice (DJSEC_KEY_FILE and keys/) counts once.
    XCTAssertEqual(try ring([keys], ["DJSEC_KEY_FILE": aliceURL.path], selection: "alice").candidates().count, 1)
  }

  func testTwoKeysWithOneLabelMustBeNamedByPath() throws {
    let other = folder.appendingPathComponent("user")
    _ = try KeyStoreFiles.create(in: keys, label: "me", passphrase: nil)
    let (_, mine) = try KeyStoreFiles.create(in: other, label: "me", passphrase: nil)
    XCTAssertEqual(
      keyError { _ = try ring([keys, other], selection: "me").candidates() },
      .ambiguousLabel("me", paths: [keys.appendingPathComponent("me.key").path, mine.path]))
    XCTAssertEqual(try ring([keys, other], selection: mine.path).candidates().map(\.location), [mine.path])
  }

  func testEnvironmentKeysHaveTheirOwnErrors() throws {
    XCTAssertEqual(keyError { _ = try ring([keys], ["DJSEC_PRIVATE_KEY": "not base64"]).candidates() }, .invalidPrivateKeyVariable)
    let missing = folder.appendingPathComponent("nope.key").path
    XCTAssertEqual(
      keyError { _ = try ring([keys], ["DJSEC_KEY_FILE": missing]).candidates() }, .unreadableKeyFileVariable(path: missing, errno: ENOENT))
    let pair = try KeyPair()
    let b64 = pair.privateKey.withUnsafeBytes { Data($0).base64EncodedString() }
    let found = try ring([keys], ["DJSEC_PRIVATE_KEY": b64 + "\n"]).keyForNewStore()
    XCTAssertEqual(found.publicKey, pair.publicKey)
    XCTAssertEqual(found.summary(), "ci (DJSEC_PRIVATE_KEY)")
  }

  /// XDG's rule for the per-user folder.
  func testThePerUserFolder() {
    XCTAssertEqual(DjsecEnvironment(["XDG_CONFIG_HOME": "/c", "HOME": "/h"]).userKeys?.path, "/c/djsec/keys")
    XCTAssertEqual(DjsecEnvironment(["XDG_CONFIG_HOME": "relative", "HOME": "/h"]).userKeys?.path, "/h/.config/djsec/keys")
    XCTAssertNil(DjsecEnvironment([:]).userKeys)
  }

  func testCaptureTakesEveryDjsecVariableOutOfTheProcess() throws {
    // The test runner's own DJSEC_* settings go back afterwards.
    let saved = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("DJSEC_") }
    defer { for (name, value) in saved { setenv(name, value, 1) } }
    setenv("DJSEC_PASSPHRASE", "pass phrase", 1)
    setenv("DJSEC_KEY_FILE", "/k.key", 1)
    setenv("DJSEC_FUTURE_SETTING", "x", 1)
    let env = DjsecEnvironment.capture()
    XCTAssertEqual(env.passphrase?.withUnsafeBytes { Array($0) }, Array("pass phrase".utf8))
    XCTAssertEqual(env.keyFile, "/k.key")
    XCTAssertEqual(env.others["DJSEC_FUTURE_SETTING"], "x")
    XCTAssertEqual(ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("DJSEC_") }, [])
  }

  func testNoChildProcessSeesADjsecVariable() throws {
    setenv("DJSEC_CHILD_TEST", "leak", 1)
    defer { unsetenv("DJSEC_CHILD_TEST") }
    let r = try XCTUnwrap(Subprocess.run("env", []))
    XCTAssertTrue(r.stdoutText.contains("PATH="))
    XCTAssertFalse(r.stdoutText.contains("DJSEC_"))
  }

  func testKeyFilesRefuseEmptyPassphrasesAndUnboundedArgon2id() throws {
    XCTAssertThrowsError(try KeyStoreFiles.create(in: keys, label: "e", passphrase: [])) {
      XCTAssertEqual($0 as? KeyFileError, .emptyPassphrase)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: keys.appendingPathComponent("e.key").path))
    let pair = try KeyPair()
    let text = try KeyFile.text(label: "p", pair: pair, passphrase: Array("words".utf8), limits: .testOnlyMinimum)
    let line = text.split(separator: "\n").first { $0.hasPrefix("argon2id: ") }!
    let salt = line.split(separator: " ")[3]
    func parse(_ ops: String, _ mem: String) throws {
      _ = try KeyFile.parse(text.replacingOccurrences(of: String(line), with: "argon2id: \(ops) \(mem) \(salt)"), path: "/k/p.key")
    }
    XCTAssertNoThrow(try parse("16", "4294967296"))
    XCTAssertNoThrow(try parse("1", "8192"))
    for (ops, mem, limit, value, bounds) in [
      ("17", "8192", "opslimit", "17", "1...16"), ("0", "8192", "opslimit", "0", "1...16"),
      ("1", "8191", "memlimit", "8191", "8192...4294967296"), ("1", "4294967297", "memlimit", "4294967297", "8192...4294967296"),
    ] {
      XCTAssertThrowsError(try parse(ops, mem)) {
        XCTAssertEqual($0 as? KeyFileError, .argon2idOutOfBounds(path: "/k/p.key", limit: limit, value: value, bounds: bounds))
      }
    }
  }
}
