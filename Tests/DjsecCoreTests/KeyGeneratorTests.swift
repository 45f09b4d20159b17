import XCTest

@testable import DjsecCore

final class KeyGeneratorTests: XCTestCase {
  /// Pearson's chi-square statistic of character counts against a uniform distribution.
  private func chiSquare(_ text: String, alphabet: [Character]) -> Double {
    var counts = [Character: Int]()
    for c in text { counts[c, default: 0] += 1 }
    XCTAssertTrue(Set(counts.keys).isSubset(of: Set(alphabet)), "a character outside the alphabet")
    let expected = Double(text.count) / Double(alphabet.count)
    return alphabet.reduce(0) { sum, c in
      let d = Double(counts[c, default: 0]) - expected
      return sum + d * d / expected
    }
  }

  /// Critical value of chi-square with 49 degrees of freedom at p = 0.0001:
  /// a fair generator fails this test once in 10,000 runs.
  private let critical49 = 94.6

  func testDjangoAlphabetIsUniform() {
    let alphabet = KeyAlphabet.django.characters
    XCTAssertEqual(alphabet.count, 50)
    let sample = SecretKeyGenerator.uniformString(length: 200_000, alphabet: alphabet)
    let stat = chiSquare(sample, alphabet: alphabet)
    XCTAssertLessThan(stat, critical49, "randombytes_uniform output looks biased (chi-square \(stat))")
  }

  /// The same test must catch a biased generator, or it proves nothing: a random
  /// byte modulo 50 favours the first 6 characters (256 = 5 × 50 + 6).
  func testChiSquareCatchesModuloBias() {
    let alphabet = KeyAlphabet.django.characters
    var biased = ""
    for byte in SecureRandom.bytes(200_000) { biased.append(alphabet[Int(byte) % alphabet.count]) }
    let stat = chiSquare(biased, alphabet: alphabet)
    XCTAssertGreaterThan(stat, critical49, "the chi-square test failed to notice modulo bias (\(stat))")
  }

  func testGeneratedKeysAreStrongAndNeverStartWithDollar() throws {
    for _ in 0..<5_000 {
      let key = try SecretKeyGenerator.generate()
      XCTAssertEqual(key.count, 50)
      XCTAssertNotEqual(key.first, "$")
      XCTAssertEqual(KeyPolicy.weaknesses(of: key), [])
    }
  }

  func testOtherAlphabetsAndLengths() throws {
    let hex = try SecretKeyGenerator.generate(length: 64, alphabet: .hex)
    XCTAssertEqual(hex.count, 64)
    XCTAssertTrue(hex.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    let url = try SecretKeyGenerator.generate(length: 80, alphabet: .urlsafe)
    XCTAssertEqual(url.count, 80)
    XCTAssertTrue(url.allSatisfy { KeyAlphabet.urlsafe.characters.contains($0) })
  }

  func testRefusesShortKeys() {
    XCTAssertThrowsError(try SecretKeyGenerator.generate(length: 49)) { error in
      XCTAssertEqual(error as? KeyError, .tooShort(requested: 49, minimum: 50))
    }
  }

  func testKeyPolicyMatchesDjangoW009() {
    XCTAssertEqual(KeyPolicy.weaknesses(of: String(repeating: "ab", count: 25)), [.tooFewDistinct(count: 2)])
    XCTAssertEqual(KeyPolicy.weaknesses(of: "short1234567"), [.tooShort(length: 12)])
    let insecure = "django-insecure-" + String(repeating: "abcdefghij", count: 5)
    XCTAssertEqual(KeyPolicy.weaknesses(of: insecure), [.insecurePrefix])
  }
}
