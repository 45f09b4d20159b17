import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write local_settings.py from the template and the encrypted store (mode 0600, atomically).")
    @OptionGroup var options: StoreOptions
    @Option(help: "The template (default: templates/local_settings.py.tmpl shipped with djsec).") var template: String?
    @Option(help: "Where to write (default: local_settings.py beside the project's settings.py).") var out: String?

    func run() throws {
      let written = try Self.render(options: options, template: template, out: out)
      print("rendered \(written.path)")
    }

    static func render(options: StoreOptions, template: String?, out: String?) throws -> URL {
      // Before any value is decrypted: the target must be a file git will never commit, and no symbolic link.
      let target = try Self.target(options: options, out: out)
      try SecretFileGuard.checkSecretTarget(target, root: options.location.root)
      let tmpl =
        try template.map { try SettingsTemplate.load(URL(fileURLWithPath: $0)) } ?? Installation.template(named: "local_settings.py.tmpl")
      // Rendering deploys the values: a store under a retired data key (values a removed recipient knew) is refused.
      let store = try options.open(access: .write)
      let text = try Renderer.render(store, template: tmpl)
      try AtomicFile.write(text, to: target, mode: 0o600)
      return target
    }

    /// `--out`, else local_settings.py beside the settings module manage.py names.
    static func target(options: StoreOptions, out: String?) throws -> URL {
      try out.map { URL(fileURLWithPath: $0) } ?? DjangoProject.locate(root: options.location.root).localSettingsFile
    }
  }

  struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Rotate the SECRET_KEY (keeping old ones as fallbacks), any secret, or the store's data key.",
      discussion: """
        djsec rotate secret-key [--keep N]   new SECRET_KEY; the old one leads SECRET_KEY_FALLBACKS
        djsec rotate NAME --generate          a new random value for NAME
        djsec rotate data-key                 a new data key; every value re-encrypted
        The store is saved before local_settings.py is rendered again.
        """)
    @OptionGroup var options: StoreOptions
    @Argument(help: "secret-key, data-key, or a secret's name.") var what: String
    @Option(help: "How many old SECRET_KEYs to keep as fallbacks.") var keep = 1
    @Flag(help: "Generate the new value (for a secret's name).") var generate = false
    @Option(help: "Length of a generated value.") var length: Int?
    @Flag(help: "Do not render local_settings.py afterwards.") var noRender = false

    func run() throws {
      // Checked before the store changes, so a refusal leaves the store and the file in step.
      let rendered = renderTarget
      if let rendered { try SecretFileGuard.checkSecretTarget(rendered, root: options.location.root) }
      switch what {
      case "secret-key":
        try options.modify { store throws(StoreError) in
          try Rotation.rotateSecretKey(store, keep: keep, length: length ?? SecretKeyGenerator.minimumLength)
        }
        print("rotated SECRET_KEY; \(keep) previous key\(keep == 1 ? "" : "s") kept in SECRET_KEY_FALLBACKS")
      case "data-key":
        try options.modify { store throws(StoreError) in try store.rotateDataKey() }
        print("rotated the data key; every value re-encrypted")
      default:
        guard generate else { throw ValidationError("to rotate \(what), pass --generate, or set a value with 'djsec secret set \(what)'") }
        try options.modify { store throws(StoreError) in
          guard store.contains(what) else { throw .missingSecret(name: what, store: store.url.lastPathComponent) }
          try Rotation.regenerate(store, name: what, length: length ?? 40)
        }
        print("rotated \(what)")
      }
      if rendered != nil {
        print("rendered \(try Render.render(options: options, template: nil, out: nil).path)")
      }
    }

    /// The file rendered again afterwards: local_settings.py when anything is
    /// there (a dangling link too, which the guard then refuses).
    private var renderTarget: URL? {
      guard !noRender, what != "data-key", let target = try? Render.target(options: options, out: nil) else { return nil }
      return SymbolicLink.exists(target) ? target : nil
    }
  }
}
