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
      let source = try rules.map { URL(fileURLWithPath: $0) } ?? RuleSet.builtInFolder()
      // Loaded whole first: a page is printed only for rules that compile.
      _ = try RuleSet.load(source)
      print(RulesDocument.markdown(try RuleSet.readFiles(source)), terminator: "")
    }
  }
}
