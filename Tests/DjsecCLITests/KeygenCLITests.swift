import XCTest

final class KeygenCLITests: XCTestCase {
  func testPrintsStrongKeys() throws {
    let r = try CLI.djsec(["keygen", "--count", "20"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let keys = r.stdout.split(separator: "\n")
    XCTAssertEqual(keys.count, 20)
    XCTAssertEqual(Set(keys).count, 20)
    let alphabet = Set("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)")
    for key in keys {
      XCTAssertEqual(key.count, 50)
      XCTAssertTrue(key.allSatisfy(alphabet.contains))
      XCTAssertNotEqual(key.first, "$")
    }
  }

  func testLengthAndAlphabet() throws {
    let r = try CLI.djsec(["keygen", "--length", "64", "--alphabet", "hex"])
    XCTAssertEqual(r.status, 0)
    XCTAssertEqual(r.stdout.trimmingCharacters(in: .newlines).count, 64)
  }

  func testRefusesShortKeyWithOneLineError() throws {
    let r = try CLI.djsec(["keygen", "--length", "49"])
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stdout, "")
    XCTAssertTrue(r.stderr.hasPrefix("djsec: error: a key of 49 characters is too short"), r.stderr)
    XCTAssertTrue(r.stderr.contains("djsec: hint: pass --length 50"), r.stderr)
  }

  func testBadUsageExitsTwo() throws {
    let r = try CLI.djsec(["keygen", "--alphabet", "klingon"])
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(r.stderr.hasPrefix("djsec: error:"), r.stderr)
  }

  func testVersion() throws {
    let r = try CLI.djsec(["--version"])
    XCTAssertEqual(r.status, 0)
    XCTAssertFalse(r.stdout.isEmpty)
  }
}
