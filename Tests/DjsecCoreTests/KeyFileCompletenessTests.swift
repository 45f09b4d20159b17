import Foundation
import XCTest

@testable import DjsecCore

/// A key file an older djsec began and never finished (killed between its
/// open and its write) is told apart from one someone wrote wrong: it is
/// incomplete, and the hint says to make a new key, never to restore it
/// from git (key files are never in git).
final class KeyFileCompletenessTests: XCTestCase {
  private var keys: URL!

  override func setUpWithError() throws {
    keys = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-keyfile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: keys) }

  /// A whole key file's bytes, made by `keys new`'s code.
  private func wholeKey() throws -> [UInt8] {
    let (_, url) = try KeyStoreFiles.create(in: keys, label: "whole", passphrase: nil)
    defer { try? FileManager.default.removeItem(at: url) }
    return Array(try Data(contentsOf: url))
  }

  private func readError(_ bytes: [UInt8]) -> KeyFileError? {
    let url = keys.appendingPathComponent("cut.key")
    _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
    do {
      _ = try KeyFile.read(url)
      return nil
    } catch { return error }
  }

  func testEmptyZeroedAndCutShortFilesAreIncomplete() throws {
    let whole = try wholeKey()
    let path = keys.appendingPathComponent("cut.key").path
    XCTAssertEqual(readError([]), .incomplete(path: path, size: 0))
    XCTAssertEqual(readError([UInt8](repeating: 0, count: whole.count)), .incomplete(path: path, size: whole.count))
    XCTAssertEqual(readError(Array(whole.prefix(10))), .incomplete(path: path, size: 10))
    XCTAssertEqual(readError(Array(whole.dropLast(7))), .incomplete(path: path, size: whole.count - 7))
    // Cut at a line end, before the private key.
    let text = String(decoding: whole, as: UTF8.self)
    let beforePrivate = String(text[..<text.range(of: "private: ")!.lowerBound])
    XCTAssertEqual(readError(Array(beforePrivate.utf8)), .incomplete(path: path, size: beforePrivate.utf8.count))
    // The whole file, and the whole file without its last newline, read.
    XCTAssertNil(readError(whole))
    XCTAssertNil(readError(Array(whole.dropLast())))
  }

  func testAFileDjsecNeverBeganIsMalformedNotIncomplete() {
    guard case .malformed? = readError(Array("hello: world\n".utf8)) else { return XCTFail("not malformed") }
    guard case .malformed? = readError(Array("not a key".utf8)) else { return XCTFail("not malformed") }
  }

  func testTheHintSaysToMakeANewKeyNotToRestoreIt() {
    let error = KeyFileError.incomplete(path: "/nowhere/keys/default.key", size: 0)
    XCTAssertTrue(error.message.contains("incomplete"), error.message)
    let hint = error.hint ?? ""
    XCTAssertTrue(hint.contains("djsec keys new"), hint)
    XCTAssertTrue(hint.contains("rm "), hint)
    XCTAssertFalse(hint.contains("restore"), hint)
    XCTAssertTrue(hint.contains("never in git"), hint)
    // No hint about a key file sends anyone to git for it.
    let path = "/nowhere/keys/default.key"
    let errors: [KeyFileError] = [
      .unreadable(path: path, errno: EACCES), .malformed(path: path, line: 1, reason: "x"), .incomplete(path: path, size: 3),
      .argon2idOutOfBounds(path: path, limit: "opslimit", value: "1", bounds: "2...3"), .keyExists(path: path),
      .publicHalfMissing(path: path, label: "default"), .openToOthers(path: path, mode: 0o644), .foreignOwner(path: path, uid: 1),
    ]
    for error in errors {
      XCTAssertFalse((error.hint ?? "").contains("from git"), "\(error): \(error.hint ?? "")")
    }
  }
}
