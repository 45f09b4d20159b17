import DjsecCore
import DjsecTestSupport
import Foundation
import XCTest

/// The shared placeholder words (example, demo, fake, sample...) describe a
/// value only when they start a word of it: a random token that happens to
/// hold "DeMo" or "FAKe" among its letters is still a token. Rule examples
/// with random tokens missed about one run in a few hundred before.
final class PlaceholderWordTests: XCTestCase {
  private let detector = Detector(ruleSet: try! RuleSet.builtIn(examples: true))

  private func detect(_ text: String) -> [Detection] {
    var text = text
    return text.withUTF8 { detector.detect(UnsafeRawBufferPointer($0)) }
  }

  func testAWordInsideARandomTokenDoesNotHideIt() {
    for word in ["DeMo", "FAKe", "sample", "Lorem", "example", "dummy"] {
      let first = SecretGenerator.random(22 - word.count - 3, from: SecretGenerator.base62)
      let token = "github_pat_" + "x7" + word + "Q" + first + "_" + SecretGenerator.random(59, from: SecretGenerator.base62)
      XCTAssertEqual(detect("GH_TOKEN=\(token)\n").count, 1, "a token holding \(word) was not reported")
    }
  }

  func testPlaceholdersThatStartAWordStillCount() {
    for value in ["your-api-token-here", "example_token_value_1234", "fake-secret-for-tests", "DEMO_KEY_0123456789abcd"] {
      XCTAssertEqual(detect("API_TOKEN = \"\(value)\"\n").count, 0, "\(value) is a placeholder")
    }
  }
}
