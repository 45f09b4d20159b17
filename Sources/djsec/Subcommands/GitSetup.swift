import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct GitSetup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "git-setup",
      abstract: "Register djsec's merge driver and diff textconv for secrets.djsec in this repository.",
      discussion: """
        Two edited stores then merge entry by entry when both sides are signed by recipients you trust and share \
        the recipients and the data key (anything else is a conflict), and 'git diff' shows each entry's name with a \
        short digest of its value. Writes .gitattributes and .git/config.
        """)
    @OptionGroup var options: StoreOptions
    @Flag(help: "Make 'git diff' show decrypted values (they then reach any log or file a diff is written to).")
    var plaintextDiff = false

    func run() throws {
      let loc = try options.workspace().location
      // By name, found on PATH when git runs it: an absolute path (a build
      // folder, a temporary one) broke every later merge once djsec moved or
      // was upgraded.
      for (key, value) in [
        ("merge.djsec.name", "djsec encrypted store (entry by entry)"),
        ("merge.djsec.driver", "djsec merge-driver %O %A %B %P"),
        ("diff.djsec.textconv", "djsec textconv" + (plaintextDiff ? " --plaintext" : "")),
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
      // One line for every environment's store (secrets.djsec, secrets.production.djsec, ...).
      let name = loc.store.lastPathComponent
      let pattern = EnvironmentName(storeFileName: name) != nil ? "secrets*.djsec" : name
      let line = "\(pattern) merge=djsec diff=djsec"
      var text = (try? String(contentsOf: attributes, encoding: .utf8)) ?? ""
      if !text.split(separator: "\n").contains(Substring(line)) {
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += line + "\n"
        try AtomicFile.write(text, to: attributes, mode: 0o644)
      }
      let onPath = SearchPath.find("djsec", in: ProcessInfo.processInfo.environment["PATH"])
      print("registered djsec, found on PATH\(onPath.map { " (now \($0))" } ?? ""), as the merge driver and diff textconv for \(name)")
      if onPath == nil {
        Diagnostics.warning(
          "djsec is not on PATH, so git cannot run the merge driver",
          hint: "install it (make install puts it in /usr/local/bin) or add its folder to PATH")
      }
    }
  }

  struct MergeDriver: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "merge-driver", abstract: "git's merge driver for stores (set up by git-setup).", shouldDisplay: false)
    @Argument var base: String
    @Argument var ours: String
    @Argument var theirs: String
    @Argument var path: String = "secrets.djsec"

    func run() throws {
      let loc = try Workspace.find(from: Djsec.currentFolder, variables: Djsec.environment).location
      try StoreMerge.merge(
        base: URL(fileURLWithPath: base), ours: URL(fileURLWithPath: ours), theirs: URL(fileURLWithPath: theirs), displayName: path,
        keyRing: loc.keyRing, passphrase: Terminal.passphrase, trust: try StoreOptions.trust())
    }
  }

  struct Textconv: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "textconv",
      abstract: "Print a store for git diff: names and value digests (set up by git-setup).", shouldDisplay: false)
    @Argument var file: String
    @Flag(help: "Show decrypted values instead of digests.") var plaintext = false

    func run() throws {
      let loc = try Workspace.find(from: Djsec.currentFolder, variables: Djsec.environment).location
      let text = StoreTextconv.text(
        URL(fileURLWithPath: file), keyRing: loc.keyRing, passphrase: Terminal.passphrase, trust: try StoreOptions.trust(),
        plaintext: plaintext)
      print(text, terminator: "")
    }
  }
}
