import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "render",
      abstract: "Write local_settings.py from the template and the environment's encrypted store (mode 0600, atomically).",
      discussion: """
        --settings, --template and --out, and the environment rendered, are remembered for this checkout (in your state folder, \
        outside git), so 'rotate' renders the same way. Without them, the environment's own settings (recorded by init) apply.
        """)
    @OptionGroup var options: StoreOptions
    @Option(help: "The settings file this environment renders for (default: the one manage.py names).") var settings: String?
    @Option(help: "The template (default: the environment's, else the shipped templates/local_settings.py.tmpl).") var template: String?
    @Option(help: "Where to write (default: the environment's, else local_settings.py beside the settings file).") var out: String?
    @Flag(
      help: ArgumentHelp(
        "Replace a local_settings.py djsec did not write, keeping a copy in your state folder (~/.local/state/djsec) first.",
        discussion: "Never one git tracks: its secrets would be committed."))
    var force = false

    func run() throws {
      let ws = try options.workspace(settings: settings)
      try StoreOptions.requireStore(ws)
      var deployment = try StoreOptions.deployment(ws)
      deployment.force = force
      let outcome = try deployment.run(
        flags: RenderJob.Flags(template: template, out: out, base: Djsec.currentFolder), render: .always, shipped: Self.shipped
      ) { store, deployed throws(StoreError) in try Rotation.keepDeployedKey(store, deployed) }
      Self.report(outcome, ws)
    }

    static func shipped() throws(TemplateError) -> SettingsTemplate { try Installation.template(named: "local_settings.py.tmpl") }

    /// The lines every command that renders prints after it did.
    static func report(_ outcome: Deployment.Outcome, _ ws: Workspace) {
      if outcome.keptDeployedKey {
        Diagnostics.note("the SECRET_KEY deployed in local_settings.py was not in the store; it is kept in SECRET_KEY_FALLBACKS")
      }
      if let backup = outcome.backup, let file = outcome.rendered {
        let here = Djsec.currentFolder
        print("backed up \(relativePath(file, from: here)) to \(relativePath(backup, from: here)) (mode 0600, outside the checkout)")
      }
      if let file = outcome.rendered {
        print("rendered \(relativePath(file, from: Djsec.currentFolder)) (environment \(ws.environment))")
      }
    }
  }

  struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rotate",
      abstract: "Rotate the SECRET_KEY (keeping old ones as fallbacks), any secret, or the store's data key.",
      discussion: """
        djsec rotate secret-key [--keep N]   new SECRET_KEY; the old one leads SECRET_KEY_FALLBACKS
        djsec rotate NAME --generate          a new random value for NAME
        djsec rotate data-key                 a new data key; every value re-encrypted
        local_settings.py, where it exists, is rendered again with the environment's settings, template and \
        output path, under the same lock as the store (never a file djsec did not write: that is left alone). \
        A deployed key the store does not hold is kept as a fallback.
        """)
    @OptionGroup var options: StoreOptions
    @Argument(help: "secret-key, data-key, or a secret's name.") var what: String
    @Option(help: "How many old SECRET_KEYs to keep as fallbacks.") var keep = 1
    @Flag(help: "Generate the new value (for a secret's name).") var generate = false
    @Option(help: "Length of a generated value.") var length: Int?
    @Option(help: "The settings file this environment renders for (remembered, as with render).") var settings: String?
    @Flag(help: "Do not render local_settings.py afterwards.") var noRender = false

    func validate() throws {
      guard keep >= 0 else { throw ValidationError("--keep must be 0 or more") }
      if let length, what == "secret-key", length < SecretKeyGenerator.minimumLength {
        throw ValidationError("--length must be at least \(SecretKeyGenerator.minimumLength) for a SECRET_KEY")
      }
      if what != "secret-key", what != "data-key", !generate {
        throw ValidationError("to rotate \(what), pass --generate, or set a value with 'djsec secret set \(what)'")
      }
    }

    func run() throws {
      let ws = try options.workspace(settings: settings)
      try StoreOptions.requireStore(ws)
      let deployment = try StoreOptions.deployment(ws)
      let flags = RenderJob.Flags(base: Djsec.currentFolder)
      let outcome: Deployment.Outcome
      let done: String
      switch what {
      case "secret-key":
        let (keep, length) = (keep, length ?? SecretKeyGenerator.minimumLength)
        outcome = try deployment.run(flags: flags, render: noRender ? .never : .ifPresent, shipped: Render.shipped) {
          store, deployed throws(StoreError) in
          try Rotation.rotateSecretKey(store, keep: keep, length: length, deployed: deployed)
        }
        done = "rotated SECRET_KEY; \(keep) previous key\(keep == 1 ? "" : "s") kept in SECRET_KEY_FALLBACKS"
      case "data-key":
        // The values do not change, so local_settings.py stays as it is.
        outcome = try deployment.run(flags: flags, render: .never, shipped: Render.shipped) { store, _ throws(StoreError) in
          try store.rotateDataKey()
          return false
        }
        done = "rotated the data key; every value re-encrypted"
      default:
        let (name, length) = (what, length ?? 40)
        outcome = try deployment.run(flags: flags, render: noRender ? .never : .ifPresent, shipped: Render.shipped) {
          store, deployed throws(StoreError) in
          guard store.contains(name) else { throw .missingSecret(name: name, store: store.url.lastPathComponent) }
          try Rotation.regenerate(store, name: name, length: length)
          return try Rotation.keepDeployedKey(store, deployed)
        }
        done = "rotated \(what)"
      }
      // Printed only once everything is written: a failure above names the command that finishes the job.
      print(done)
      Render.report(outcome, ws)
      if outcome.rendered == nil, !noRender, what != "data-key", let target = outcome.target {
        let file = relativePath(target, from: Djsec.currentFolder)
        if outcome.leftUserFile {
          print(
            "\(file) was not written by djsec and was left alone; deploy the new value with 'djsec render\(ws.envFlag) --force' "
              + "(it keeps a copy of the file first)")
        } else {
          let why = outcome.otherEnvironment.map { "\(file) holds environment \($0) and was left alone" } ?? "\(file) is not here"
          print("\(why); deploy the new value with 'djsec render\(ws.envFlag)'")
        }
      }
    }
  }
}
