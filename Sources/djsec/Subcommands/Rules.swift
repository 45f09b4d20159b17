import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rules",
      abstract: "Print the detection rules, by provider family, as Markdown (what docs/rules.md is generated with).")
    @Option(help: "A rules file or folder instead of the built-in rules.") var rules: String?

    func run() throws {
      let files = try rules.map { try RuleSet.readFiles(URL(fileURLWithPath: $0)) } ?? RuleSet.builtInFiles(examples: true)
      // Compiled whole first: a page is printed only for rules that compile.
      _ = try RuleSet(RuleSet.merge(files), source: rules ?? "djsec's rules")
      print(RulesDocument.markdown(files), terminator: "")
    }
  }
}
