import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "keys",
      abstract: "Manage X25519 key pairs that open encrypted stores.",
      subcommands: [New.self, Pub.self]
    )

    struct New: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Make a key pair: keys/LABEL.key (private, mode 0600, ignored by git) and keys/LABEL.pub.",
        discussion: """
          Prints the public key: give it to a store's owner to be added with 'djsec recipients add'. \
          With --user the pair goes to your own folder, $XDG_CONFIG_HOME/djsec/keys (default ~/.config/djsec/keys), \
          outside any checkout; djsec looks there too.
          """
      )

      @Option(help: "The key's label (default: default).")
      var name = "default"

      @Flag(help: "Protect the private key with a passphrase (Argon2id, MODERATE limits).")
      var passphrase = false

      @Flag(help: "Make the key in your per-user folder instead of the project's keys/.")
      var user = false

      func run() throws {
        guard KeyFile.isValidLabel(name) else { throw KeyFileError.invalidLabel(name) }
        let folder: URL
        if user {
          guard let userKeys = Djsec.environment.userKeys else { throw KeyFileError.noUserFolder }
          folder = userKeys
        } else {
          folder = try Workspace.find(from: Djsec.currentFolder, variables: Djsec.environment).location.keys
        }
        // Before asking for a passphrase: a folder the key may not go in is refused first.
        try KeyStoreFiles.checkFolder(folder, label: name)
        let words = passphrase ? try Terminal.newPassphrase(for: folder.appendingPathComponent("\(name).key").path) : nil
        let (pair, _) = try KeyStoreFiles.create(in: folder, label: name, passphrase: words, folderMode: user ? 0o700 : 0o755)
        print(KeyFile.publicText(label: name, identity: try PublicIdentity(pair)), terminator: "")
      }
    }

    struct Pub: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "pub",
        abstract: "Print a key's public identity (what 'djsec recipients add' takes) and rewrite its .pub file.",
        discussion: "Use it to give a key made by an older djsec a .pub file with its signing key."
      )

      @Option(help: "The key's label (default: default).")
      var name = "default"

      func run() throws {
        let loc = try Workspace.find(from: Djsec.currentFolder, variables: Djsec.environment).location
        let keyURL = loc.keys.appendingPathComponent("\(name).key")
        let file = try KeyFile.read(keyURL)
        let pair = try file.unlock { () throws(StoreError) in try Terminal.passphrase(for: file) }
        let text = KeyFile.publicText(label: file.label, identity: try PublicIdentity(pair))
        try AtomicFile.write(text, to: loc.keys.appendingPathComponent("\(name).pub"), mode: 0o644)
        print(text, terminator: "")
      }
    }
  }
}
