import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct GitSetup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "git-setup",
      abstract: "Register djsec's merge driver and diff textconv for secrets.djsec in this repository.",
      discussion: """
        Two edited stores then merge entry by entry (a real conflict on one entry is refused with its name), \
        and 'git diff' shows decrypted values on your terminal. Writes .gitattributes and .git/config.
        """)
    @OptionGroup var options: StoreOptions

    func run() throws {
      let loc = options.location
      let exe = Installation.executableURL().path
      let quoted = "'" + exe.replacingOccurrences(of: "'", with: "'\\''") + "'"
      for (key, value) in [
        ("merge.djsec.name", "djsec encrypted store (entry by entry)"),
        ("merge.djsec.driver", "\(quoted) merge-driver %O %A %B"),
        ("diff.djsec.textconv", "\(quoted) textconv"),
      ] {
        let r = Process()
        r.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        r.arguments = ["git", "config", key, value]
        r.environment = ChildEnvironment.variables()
        r.currentDirectoryURL = loc.root
        try r.run()
        r.waitUntilExit()
        guard r.terminationStatus == 0 else { throw ScanError.notARepository(path: loc.root.path) }
      }
      let attributes = loc.root.appendingPathComponent(".gitattributes")
      let name = loc.store.lastPathComponent
      let line = "\(name) merge=djsec diff=djsec"
      var text = (try? String(contentsOf: attributes, encoding: .utf8)) ?? ""
      if !text.split(separator: "\n").contains(Substring(line)) {
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += line + "\n"
        try AtomicFile.write(text, to: attributes, mode: 0o644)
      }
      print("registered the djsec merge driver and diff textconv for \(name)")
    }
  }

  struct MergeDriver: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "merge-driver", abstract: "git's merge driver for stores (set up by git-setup).", shouldDisplay: false)
    @Argument var base: String
    @Argument var ours: String
    @Argument var theirs: String

    func run() throws {
      let loc = StoreLocation.find(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), environment: Djsec.environment)
      try StoreMerge.merge(
        base: URL(fileURLWithPath: base), ours: URL(fileURLWithPath: ours), theirs: URL(fileURLWithPath: theirs), keyRing: loc.keyRing,
        passphrase: Terminal.passphrase)
    }
  }

  struct Textconv: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print a store decrypted, for git diff (set up by git-setup).", shouldDisplay: false)
    @Argument var file: String

    func run() throws {
      let loc = StoreLocation.find(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), environment: Djsec.environment)
      print(StoreMerge.textconv(URL(fileURLWithPath: file), keyRing: loc.keyRing, passphrase: Terminal.passphrase), terminator: "")
    }
  }
}
