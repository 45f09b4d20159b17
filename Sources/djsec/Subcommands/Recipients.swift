import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Recipients: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Who can open the store: add, list and remove recipients.",
      subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Give a public key access to the store.")
      @OptionGroup var options: StoreOptions
      @Argument(help: ArgumentHelp("A public key (base64) or the path of a .pub file.", valueName: "public-key"))
      var publicKey: String
      @Option(help: "The recipient's label (default: the label in the .pub file).") var name: String?

      func run() throws {
        // Refuses a malformed key, and one anything sealed to could be opened by anyone.
        let (publicKey, label) = try KeyFile.parsePublic(publicKey)
        guard let label = name ?? label else { throw ValidationError("pass --name LABEL for this key") }
        guard KeyFile.isValidLabel(label) else { throw KeyFileError.invalidLabel(label) }
        try options.modify { store throws(StoreError) in try store.addRecipient(label: label, publicKey: publicKey) }
        print("added \(label)")
      }
    }

    struct List: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "List the recipients and their public keys.")
      @OptionGroup var options: StoreOptions

      func run() throws {
        for r in try options.open().file.recipients { print("\(r.label) \(Data(r.publicKey).base64EncodedString())") }
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
