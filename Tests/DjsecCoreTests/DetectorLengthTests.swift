import Foundation
import Testing

@testable import DjsecCore

/// A rule's minimum length counts characters, not UTF-8 bytes.
@Suite struct DetectorLengthTests {
  static let ruleSet: RuleSet = {
    let json = """
      {"version": 1, "rules": [{"id": "pw", "description": "d", "severity": "medium",
       "pattern": "pw=([^\\\\s]+)", "keywords": ["pw="], "minLength": 8,
       "examples": {"match": [], "noMatch": []}}]}
      """
    let file = try! JSONDecoder().decode(RulesFile.self, from: Data(json.utf8))
    return try! RuleSet(file, source: "test")
  }()

  @Test func fourAccentedLettersAreFourCharacters() {
    let detector = Detector(ruleSet: Self.ruleSet)
    let short = "pw=\(String(repeating: "é", count: 4))\n"
    let long = "pw=\(String(repeating: "é", count: 3))Xk9qZ2wR\n"
    #expect(Array(short.utf8).count - 4 >= 8, "the short value is 8 bytes")
    #expect(detect(detector, short).isEmpty)
    #expect(detect(detector, long).count == 1)
  }

  private func detect(_ detector: Detector, _ text: String) -> [Detection] {
    Array(text.utf8).withUnsafeBytes { detector.detect($0) }
  }
}
