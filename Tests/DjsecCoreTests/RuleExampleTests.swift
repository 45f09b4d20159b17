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
    let detector = DjsecCore.Scanner(ruleSet: Self.ruleSet)
    for example in rule.examples.match {
      var generator = SecretGenerator()
      var text = try generator.fill(example.text)
      var expected = try example.secret.map { try generator.fill($0) }
      // A rule that asks for random-looking values misses one random value in
      // a thousand by design (RandomnessFloor): draw again only in that case.
      var draws = 1
      while rule.randomLike == true, let e = expected, !RandomnessFloor.passes(Array(e.utf8)), draws < 20 {
        generator = SecretGenerator()
        text = try generator.fill(example.text)
        expected = try example.secret.map { try generator.fill($0) }
        draws += 1
      }
      let found = detect(detector, text, path: example.path ?? "example.txt", binaryStrings: rule.scope == .binary)
      // A public-value rule reports nothing, and keeps the generic rules from reporting what it matched.
      if rule.publicValue == true {
        #expect(found.isEmpty, "public value \(rule.id) still reported by \(found.map { $0.rule }): \(example.text)")
        continue
      }
      let mine = found.filter { $0.rule == rule.id }
      #expect(!mine.isEmpty, "rule \(rule.id) missed: \(example.text) (found: \(found.map { $0.rule }))")
      if let expected {
        #expect(mine.contains { $0.secret == expected }, "rule \(rule.id): wrong secret for \(example.text)")
      }
    }
  }

  @Test(arguments: rules)
  func ignores(_ rule: Rule) throws {
    #expect(!rule.examples.noMatch.isEmpty, "rule \(rule.id) has no noMatch example")
    let detector = DjsecCore.Scanner(ruleSet: Self.ruleSet)
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
    #expect(detect(DjsecCore.Scanner(ruleSet: Self.ruleSet), text, path: "settings.py").isEmpty)
  }

  private func detect(_ scanner: DjsecCore.Scanner, _ text: String, path: String, binaryStrings: Bool = false) -> [Finding] {
    var text = text
    return text.withUTF8 { scanner.findings(in: UnsafeRawBufferPointer($0), path: path, binaryStrings: binaryStrings) }
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
