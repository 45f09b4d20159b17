import DjsecCore
import DjsecTestSupport
import Foundation
import Testing

/// Every rule's own examples, one by one: each `match` example must be
/// reported by that rule with exactly the expected secret, and each `noMatch`
/// example must not be reported by any rule.
@Suite struct RuleExampleTests {
  static let ruleSet = try! RuleSet.builtIn(examples: true)
  static let rules = ruleSet.rules

  @Test(arguments: rules)
  func matches(_ rule: Rule) throws {
    #expect(!rule.examples.match.isEmpty, "rule \(rule.id) has no match example")
    let detector = SecretScanner(ruleSet: Self.ruleSet)
    for example in rule.examples.match {
      // Every rule with a length, entropy or randomness floor misses a few
      // random values in a million by design (`missRate` bounds how many):
      // a second and third fresh draw keep that out of this test.
      var problem: String?
      for _ in 0..<3 {
        problem = try check(rule, example, detector)
        if problem == nil { break }
      }
      #expect(problem == nil, "\(problem ?? "")")
    }
  }

  /// How often each rule misses its own examples, drawn afresh 300 times:
  /// at most 3 misses (1 %). A floor set too high for the value's length
  /// and alphabet (3.3 bits for 32 hex digits missed 1.7 % of random keys)
  /// fails here, whatever one draw happened to be.
  @Test(arguments: rules)
  func missRate(_ rule: Rule) throws {
    let detector = SecretScanner(ruleSet: Self.ruleSet)
    let reused = Detector(ruleSet: Self.ruleSet)
    for example in rule.examples.match where rule.publicValue != true {
      var misses = 0
      var last = ""
      for _ in 0..<300 {
        if let problem = try check(rule, example, detector, reused) {
          misses += 1
          last = problem
        }
      }
      #expect(misses <= 3, "rule \(rule.id) missed \(misses) of 300 fresh draws of \(example.text); last: \(last)")
    }
  }

  /// Why a fresh draw of `example` is not reported as it should be, or nil.
  private func check(_ rule: Rule, _ example: Rule.Example, _ detector: SecretScanner, _ reused: Detector? = nil) throws
    -> String?
  {
    var generator = SecretGenerator()
    let text = try generator.fill(example.text)
    let expected = try example.secret.map { try generator.fill($0) }
    let found = detect(detector, text, path: example.path ?? "example.txt", binaryStrings: rule.scope == .binary, reused: reused)
    // A public-value rule reports nothing, and keeps the generic rules from reporting what it matched.
    if rule.publicValue == true {
      return found.isEmpty ? nil : "public value \(rule.id) still reported by \(found.map { $0.rule }): \(example.text)"
    }
    let mine = found.filter { $0.rule == rule.id }
    if mine.isEmpty { return "rule \(rule.id) missed: \(example.text) (found: \(found.map { $0.rule }))" }
    if let expected, !mine.contains(where: { $0.secret == expected }) {
      return "rule \(rule.id): wrong secret for \(example.text)"
    }
    return nil
  }

  @Test(arguments: rules)
  func ignores(_ rule: Rule) throws {
    #expect(!rule.examples.noMatch.isEmpty, "rule \(rule.id) has no noMatch example")
    let detector = SecretScanner(ruleSet: Self.ruleSet)
    for example in rule.examples.noMatch {
      #expect(example.why != nil, "rule \(rule.id): a noMatch example must say why")
      var generator = SecretGenerator()
      let text = try generator.fill(example.text)
      let found = detect(detector, text, path: example.path ?? "example.txt", binaryStrings: rule.scope == .binary)
      #expect(found.isEmpty, "rule \(rule.id): reported \(found.map { $0.rule }) in: \(example.text)")
    }
  }

  @Test func allowCommentSuppresses() throws {
    var generator = SecretGenerator()
    let text = try generator.fill("SECRET_KEY = '{{django_key}}'  # djsec:allow (test fixture)\n")
    #expect(detect(SecretScanner(ruleSet: Self.ruleSet), text, path: "settings.py").isEmpty)
  }

  private func detect(
    _ scanner: SecretScanner, _ text: String, path: String, binaryStrings: Bool = false, reused: Detector? = nil
  ) -> [Finding] {
    var text = text
    return text.withUTF8 {
      scanner.findings(in: UnsafeRawBufferPointer($0), path: path, binaryStrings: binaryStrings, detector: reused)
    }
  }
}

extension Rule: CustomTestStringConvertible {
  public var testDescription: String { id }
}

/// docs/rules.md is what `djsec rules` writes from the rule files:
/// regenerate it (`make rules-doc`) when a rule changes.
@Test func rulesDocumentationIsCurrent() throws {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  let doc = try String(contentsOf: root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
  let files = try RuleSet.readFiles(root.appendingPathComponent("Sources/DjsecCore/Resources/rules"))
  #expect(doc == RulesDocument.markdown(files), "docs/rules.md is out of date: run 'make rules-doc'")
}
