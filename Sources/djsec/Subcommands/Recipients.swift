import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Recipients: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "recipients",
      abstract: "Who can open the store: add, list and remove recipients.",
      subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "add", abstract: "Give a public key access to the store.")
      @OptionGroup var options: StoreOptions
      @Argument(help: ArgumentHelp("A public identity (djsec:...) or the path of a .pub file.", valueName: "public-identity"))
      var publicKey: String
      @Option(help: "The recipient's label (default: the label in the .pub file).") var name: String?
      @Flag(help: "Give access again to a key that a trusted recipient removed.") var again = false

      func run() throws {
        // Refuses a malformed identity, and one anything sealed to could be opened by anyone.
        let (identity, label) = try KeyFile.parsePublic(publicKey)
        guard let label = name ?? label else { throw ValidationError("pass --name LABEL for this key") }
        guard KeyFile.isValidLabel(label) else { throw KeyFileError.invalidLabel(label) }
        let me = try options.modify { store throws(StoreError) in
          try store.addRecipient(label: label, identity: identity, again: again)
          return store.openerIdentity
        }
        print("added \(label) (fingerprint \(identity.fingerprint): check it with \(label))")
        // First contact for the new recipient: they compare this with what their djsec shows in 'djsec trust'.
        print("tell \(label) to expect the store signed by you: \(me.text) (fingerprint \(me.fingerprint))")
      }
    }

    struct List: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "list", abstract: "List the recipients and their public identities.")
      @OptionGroup var options: StoreOptions

      func run() throws {
        for r in try options.open().file.recipients {
          print("\(r.label) \(r.identity?.text ?? "(no signing key yet: carried over from version 1)")")
        }
      }
    }

    struct Remove: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a recipient; the data key is rotated and every value re-encrypted.")
      @OptionGroup var options: StoreOptions
      @Argument var label: String

      func run() throws {
        try options.modify { store throws(StoreError) in try store.removeRecipient(label: label) }
        print("removed \(label); the data key was rotated and every value re-encrypted")
        Diagnostics.warning("\(label) may have copied the values while they had access: rotate the secrets themselves too")
      }
    }
  }
}
