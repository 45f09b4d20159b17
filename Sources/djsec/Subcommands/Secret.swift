import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Secret: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "secret",
      abstract: "Set, read, list, remove, edit and export the secrets in the encrypted store.",
      subcommands: [Set.self, Get.self, List.self, Remove.self, Edit.self, Export.self]
    )

    /// The template `render` uses by default. `secret set` and `secret edit`
    /// cannot know whether another will be passed to `render --template`, so
    /// they check names against this one; `render` checks again against the
    /// template it uses. Without one (a bare binary), only Python's rules apply.
    static let shippedTemplate: SettingsTemplate? = try? Installation.template(named: "local_settings.py.tmpl")

    struct Set: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a secret; the value is read from a prompt without echo, or from standard input with --stdin.",
        discussion: "Never on the command line, where it would land in shell history. Creates the store if needed."
      )
      @OptionGroup var options: StoreOptions
      @Argument(help: "The secret's name, in upper case, e.g. DB_PASSWORD (see docs/store.md).") var name: String
      @Flag(help: "Read the value from standard input.") var stdin = false

      func run() throws {
        try SecretName.check(name, notWrittenBy: Secret.shippedTemplate)
        let value: [UInt8]
        if stdin {
          value = Terminal.readStandardInput()
        } else {
          guard let typed = Terminal.readHidden(prompt: "value for \(name): ") else {
            throw ValidationError("no terminal to ask for the value: pass --stdin")
          }
          value = typed
        }
        guard !value.isEmpty else { throw StoreError.emptyValue(name: name) }
        try options.modify(create: true) { store throws(StoreError) in try store.set(name, value) }
      }
    }

    struct Get: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "get", abstract: "Print a secret's value (exit 1 if there is none).")
      @OptionGroup var options: StoreOptions
      @Argument var name: String

      func run() throws {
        let value = try options.open().value(name)
        value.withUnsafeBytes { FileHandle.standardOutput.write(Data($0) + Data([10])) }
      }
    }

    struct List: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "list", abstract: "List the names of the secrets (never their values).")
      @OptionGroup var options: StoreOptions

      func run() throws {
        for name in try options.open().names { print(name) }
      }
    }

    struct Remove: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a secret.")
      @OptionGroup var options: StoreOptions
      @Argument var name: String

      func run() throws {
        try options.modify { store throws(StoreError) in try store.remove(name) }
      }
    }

    struct Export: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print every secret in a format another program reads.",
        discussion: "Formats: \(ExportFormat.names). Prefer 'djsec exec -- CMD', which writes nothing.")
      @OptionGroup var options: StoreOptions
      @Option(
        help: "\(ExportFormat.names) (default: env).", completion: .list(ExportFormat.allCases.map(\.rawValue)),
        transform: ExportFormat.parse)
      var format = ExportFormat.env

      func run() throws {
        let store = try options.open()
        var values: [(name: String, value: [UInt8])] = []
        for name in store.names { values.append((name, try store.value(name).withUnsafeBytes { Array($0) })) }
        print(try format.render(values), terminator: "")
      }
    }
  }
}

extension ExportFormat {
  /// For --format: an unknown name is one line that lists the formats
  /// (argument-parser's own message turns into a list past five values).
  static func parse(_ name: String) throws -> ExportFormat {
    guard let format = ExportFormat(rawValue: name) else { throw ValidationError("unknown format \(name): use \(ExportFormat.names)") }
    return format
  }
}
