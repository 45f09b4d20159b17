import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  /// `djsec ignore add`: records a reviewed finding in the repository's
  /// `.djsecignore`, checked as `scan` will read it.
  struct Ignore: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ignore",
      abstract: "Keep reviewed findings out of later scans (.djsecignore).",
      subcommands: [Add.self])

    struct Add: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an entry to .djsecignore at the repository's root.",
        discussion: """
          ENTRY is a secret's id (the 32 hex digits after 'id' in the report), a finding's fingerprint \
          (commit:path:rule:line), path:GLOB or rule:ID.
          """)

      @Argument(help: "The id, fingerprint, path:GLOB or rule:ID to ignore.")
      var entry: String

      @Option(help: "Why this finding is acceptable (written after # on the entry's line).")
      var reason: String

      @Option(help: "The ignore file (default: .djsecignore at the root of the repository in the current folder).")
      var file: String?

      func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty, !reason.contains("\n") else {
          throw ValidationError("--reason must be one line of text saying why")
        }
      }

      func run() throws {
        let url =
          try file.map { URL(fileURLWithPath: $0) }
          ?? GitRepository.open(Djsec.currentFolder).root.appendingPathComponent(IgnoreFile.defaultName)
        let ids = Set(try RuleSet.builtInFiles().flatMap { $0.file.rules.map(\.id) })
        let existing = try IgnoreFile.load(url, rules: ids) ?? IgnoreFile()
        let value = entry.trimmingCharacters(in: .whitespaces)
        let added: IgnoreFile.Entry
        do { added = try IgnoreFile.entry(value, reason: reason, path: url.path, line: 1, rules: ids) } catch {
          throw ValidationError("'\(value)' is not an ignore entry: \(error.hint ?? error.message)")
        }
        if existing.entries.contains(added) {
          Diagnostics.note("\(url.path) already has \(value)")
          return
        }
        var text = FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += "\(value)  # \(reason.trimmingCharacters(in: .whitespaces))\n"
        // Reviewed ids, never values: readable like any tracked file.
        try AtomicFile.write(text, to: url, mode: 0o644)
        Diagnostics.note("added \(value) to \(url.path)")
      }
    }
  }
}
