import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  /// `djsec hook install` and `uninstall`: the git pre-commit hook that runs
  /// `djsec scan --staged` (the work is PreCommitHook's; this says what it did).
  struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "hook",
      abstract: "Install or remove the git pre-commit hook that refuses commits adding a secret.",
      subcommands: [Install.self, Uninstall.self])

    struct Install: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write the repository's pre-commit hook: 'djsec scan --staged' before every commit.",
        discussion: """
          The hook goes where git looks for it (core.hooksPath, or the hooks folder a linked worktree shares). \
          A hook already there that is not djsec's is kept as pre-commit.djsec-chained and runs first; \
          its failure still stops the commit. Installing again changes nothing. The hook calls djsec from PATH.
          """)

      @Argument(help: "A folder of the repository (default: the current folder).")
      var repository: String = "."

      func run() throws {
        let hook = try PreCommitHook.locate(URL(fileURLWithPath: repository, relativeTo: Djsec.currentFolder))
        let path = hook.hook.path
        switch try hook.install(script: PreCommitHook.template()) {
        case .unchanged: Diagnostics.note("the djsec pre-commit hook is already installed in \(path); nothing changed")
        case .written: Diagnostics.note("installed the djsec pre-commit hook in \(path)")
        case .updated: Diagnostics.note("updated the djsec pre-commit hook in \(path)")
        case .chained(let executable):
          Diagnostics.note(
            "installed the djsec pre-commit hook in \(path); the hook that was there is now \(hook.chained.path) and runs first")
          if !executable {
            Diagnostics.warning(
              "\(hook.chained.path) is not executable: git did not run it before, and djsec's hook does not either",
              hint: "chmod +x \(hook.chained.path) if it should run")
          }
        }
        // The hook runs `djsec` from PATH: say so now rather than at the first commit.
        if SearchPath.find("djsec", in: ProcessInfo.processInfo.environment["PATH"]) == nil {
          Diagnostics.warning(
            "djsec is not on PATH: the hook will refuse every commit until it is",
            hint: "install djsec (make install) or add \(Installation.executableURL().deletingLastPathComponent().path) to PATH")
        }
      }
    }

    struct Uninstall: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove djsec's pre-commit hook, putting back the hook it chained, if any.")

      @Argument(help: "A folder of the repository (default: the current folder).")
      var repository: String = "."

      func run() throws {
        let hook = try PreCommitHook.locate(URL(fileURLWithPath: repository, relativeTo: Djsec.currentFolder))
        let path = hook.hook.path
        switch try hook.uninstall() {
        case .nothing: Diagnostics.note("no djsec hook to remove: \(path) does not exist")
        case .foreign: Diagnostics.note("\(path) is not djsec's hook; left as it is")
        case .removed: Diagnostics.note("removed the djsec pre-commit hook \(path)")
        case .restored: Diagnostics.note("removed the djsec pre-commit hook; restored the hook it had chained to \(path)")
        }
      }
    }
  }
}
