import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Manage X25519 key pairs that open encrypted stores.",
      subcommands: [New.self, Pub.self]
    )

    struct New: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Make a key pair: keys/LABEL.key (private, mode 0600, ignored by git) and keys/LABEL.pub.",
        discussion: "Prints the public key: give it to a store's owner to be added with 'djsec recipients add'."
      )

      @Option(help: "The key's label (default: default).")
      var name = "default"

      @Flag(help: "Protect the private key with a passphrase (Argon2id, MODERATE limits).")
      var passphrase = false

      func run() throws {
        let loc = StoreLocation.find(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        var words: [UInt8]?
        if passphrase {
          if let env = ProcessInfo.processInfo.environment["DJSEC_PASSPHRASE"] {
            words = Array(env.utf8)
          } else {
            guard let first = Terminal.readHidden(prompt: "new passphrase: "),
              let second = Terminal.readHidden(prompt: "again: ")
            else { throw StoreError.noPassphrase(keyFile: "keys/\(name).key") }
            guard first == second else { throw ValidationError("the passphrases differ") }
            words = first
          }
        }
        let (pair, _) = try KeyStoreFiles.create(in: loc.keys, label: name, passphrase: words)
        print(KeyFile.publicText(label: name, identity: PublicIdentity(pair)), terminator: "")
      }
    }

    struct Pub: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Print a key's public identity (what 'djsec recipients add' takes) and rewrite its .pub file.",
        discussion: "Use it to give a key made by an older djsec a .pub file with its signing key."
      )

      @Option(help: "The key's label (default: default).")
      var name = "default"

      func run() throws {
        let loc = StoreLocation.find(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let keyURL = loc.keys.appendingPathComponent("\(name).key")
        let file = try KeyFile.read(keyURL)
        let pair = try file.unlock { () throws(StoreError) in try Terminal.passphrase(for: file) }
        let text = KeyFile.publicText(label: file.label, identity: PublicIdentity(pair))
        try AtomicFile.write(text, to: loc.keys.appendingPathComponent("\(name).pub"), mode: 0o644)
        print(text, terminator: "")
      }
    }
  }
}
