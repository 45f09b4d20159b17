import ArgumentParser
import DjsecCore
import Foundation

extension Initializer.Profile: ExpressibleByArgument {}
extension StoreConfig.SecretsSource: ExpressibleByArgument {}
extension StoreConfig.HSTS: ExpressibleByArgument {}

extension Djsec {
  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Give a Django project a strong SECRET_KEY in a git-ignored local_settings.py.",
      discussion: """
        Writes local_settings.py beside settings.py (mode 0600, from templates/local_settings.py.tmpl), \
        appends one marked block to settings.py that loads it (Django stops without it), takes \
        startproject's django-insecure- key out of settings.py, and adds local_settings.py to .gitignore. \
        Running it again keeps the key; --force makes a new one. A local_settings.py djsec did not write is \
        replaced only with --force or --import, after a copy is kept in your state folder (~/.local/state/djsec).
        """
    )

    @Argument(help: "The Django project: the folder that holds manage.py.")
    var directory = "."

    @OptionGroup var environment: EnvironmentOption

    @Option(name: .customLong("host"), help: "A host name the site answers to (repeatable); fills ALLOWED_HOSTS.")
    var hosts: [String] = []

    @Option(help: "deploy (DEBUG off, HTTPS, HSTS: check --deploy clean at --hsts full) or dev (DEBUG on, localhost, plain HTTP).")
    var profile = Initializer.Profile.deploy

    @Option(
      help: ArgumentHelp(
        "HSTS stage (deploy profile): short (an hour, this host only; a first deploy) or full (a year, subdomains, preload).",
        discussion: "Default: the store's stage, short for a new store. See docs/deploy-settings.md for when to move on."))
    var hsts: StoreConfig.HSTS?

    @Option(
      name: .customLong("behind-proxy"), defaultAsFlag: StoreConfig.defaultProxyHeader, parsing: .next,
      help: ArgumentHelp(
        "Django runs behind a proxy that terminates TLS and sets this header to https (deploy profile; none: no proxy).",
        discussion: "Default: the store's setting. The proxy must set or strip the header on every request.",
        valueName: "header"))
    var behindProxy: String?

    @Flag(help: "Without local_settings.py, warn and run on settings.py's defaults instead of stopping Django (dev profile only).")
    var allowDefaults = false

    @Option(
      help: ArgumentHelp(
        "Where Django takes the secrets from: file (local_settings.py holds them) or env (the process environment, "
          + "as 'djsec exec -- CMD' sets it; local_settings.py then holds none). Default: the store's, else file.",
        valueName: "file|env"))
    var secretsFrom: StoreConfig.SecretsSource?

    @Option(help: "The settings file, when manage.py does not name it.")
    var settings: String?

    @Option(help: "Use this template instead of the shipped templates/local_settings.py.tmpl.")
    var template: String?

    @Option(help: "SECRET_KEY length (at least 50).")
    var keyLength = SecretKeyGenerator.minimumLength

    @Flag(
      help:
        "Replace local_settings.py, with a new SECRET_KEY (a file djsec did not write is kept in your state folder (~/.local/state/djsec))."
    )
    var force = false

    @Flag(
      name: .customLong("import"),
      help: ArgumentHelp(
        "Move the string settings of the local_settings.py there into the store, then replace it (keeping a copy).",
        discussion: "Each NAME = \"...\" becomes a secret; a strong SECRET_KEY becomes the store's key. Values are never printed."))
    var importSettings = false

    @Option(
      help: ArgumentHelp(
        "The public/ folder the web server serves, outside the project (such as /srv/PROJECT/public).",
        discussion: "Creates its static/ and media/ and sets STATIC_ROOT and MEDIA_ROOT to them. Default: the store's.",
        valueName: "dir"))
    var webRoot: String?

    // The sites are written only where these flags say: a file appearing
    // beside the project unasked would surprise, and one written into
    // /etc/nginx/sites-enabled would change what a running server serves at
    // its next reload. Without them init says which template to use.
    @Option(help: ArgumentHelp("Write templates/nginx-site.conf, filled in for --web-root, to this file.", valueName: "file"))
    var nginxSite: String?

    @Option(help: ArgumentHelp("Write templates/apache-site.conf, filled in for --web-root, to this file.", valueName: "file"))
    var apacheSite: String?

    @Flag(help: "Print what would change and write nothing.")
    var dryRun = false

    @Flag(help: "Keep the key only in local_settings.py, without the encrypted store.")
    var noStore = false

    @Option(help: ArgumentHelp("The key a new store is sealed to: a label or the path of a .key file.", valueName: "label-or-path"))
    var key: String?

    func validate() throws {
      if allowDefaults, profile != .dev {
        throw ValidationError("--allow-defaults is for a development settings module: use it with --profile dev")
      }
      if profile == .dev, hsts != nil || behindProxy != nil {
        throw ValidationError("\(hsts != nil ? "--hsts" : "--behind-proxy") applies to the deploy profile; --profile dev serves plain HTTP")
      }
      if importSettings, noStore { throw ValidationError("--import moves values into the encrypted store: drop --no-store") }
    }

    func run() throws {
      let here = Djsec.currentFolder
      // From a repository's root, a monorepo's only backend/manage.py is found too.
      let ws = try Workspace.find(
        from: URL(fileURLWithPath: directory, relativeTo: here), environment: environment.name, settings: settings, key: key,
        variables: Djsec.environment)
      let tmpl = try Installation.template(named: "local_settings.py.tmpl")
      var options = Initializer.Options()
      options.location = ws.location
      options.environmentName = ws.environment.rawValue
      options.templateFile = template.map { URL(fileURLWithPath: $0, relativeTo: here).standardizedFileURL }
      options.hosts = hosts
      options.profile = profile
      options.hsts = hsts
      options.proxyHeader = behindProxy
      options.allowDefaults = allowDefaults
      options.secretsFrom = secretsFrom
      options.force = force
      options.importSettings = importSettings
      options.keyLength = keyLength
      options.settingsOverride = ws.settingsOverride
      options.useStore = !noStore
      options.passphrase = Terminal.passphrase
      options.trust = try StoreOptions.trust()
      options.key = key
      options.environment = Djsec.environment
      options.onLockWait = StoreOptions.lockWait
      options.webRoot = webRoot.map { URL(fileURLWithPath: $0, relativeTo: here).standardizedFileURL }
      for (name, file) in [("nginx-site.conf", nginxSite), ("apache-site.conf", apacheSite)] {
        guard let file else { continue }
        options.sites.append((try Installation.template(named: name), URL(fileURLWithPath: file, relativeTo: here).standardizedFileURL))
      }
      let initializer = Initializer(template: tmpl)
      let plan = try initializer.plan(root: ws.root, options: options)
      var copy: URL?
      if !dryRun {
        copy = try initializer.apply(plan, options: options)
        // The checkout renders what its local_settings.py holds.
        if plan.leftEnvironment == nil { try ws.localState.remember(ws.environment) }
      }
      let root = plan.project.root
      if let file = plan.backup {
        let path = relativePath(file, from: root)
        if let copy {
          print("backed up \(path) to \(relativePath(copy, from: root)) (mode 0600, outside the checkout)")
        } else {
          print("would back up \(path) to \(ws.localState.backups.map { relativePath($0, from: root) } ?? "your state folder")/")
        }
      }
      for change in plan.changes {
        let path = relativePath(change.file, from: root)
        let verb: String
        switch (change.kind, dryRun) {
        case (.unchanged, _): verb = "unchanged"
        case (.create, true): verb = "would create"
        case (.update, true): verb = "would update"
        case (.create, false): verb = "created"
        case (.update, false): verb = "updated"
        }
        print("\(verb) \(path): \(change.summary)")
      }
      if importSettings {
        Self.report(plan.imported, file: relativePath(plan.localSettings, from: root), store: ws.store.lastPathComponent, dryRun: dryRun)
      }
      if let webRoot, nginxSite == nil, apacheSite == nil {
        print("serve \(webRoot) as templates/nginx-site.conf does (--nginx-site FILE writes it filled in; Apache: --apache-site FILE)")
      }
      if dryRun { print("dry run: nothing was written") }
      if !ws.environment.isDefault, plan.leftEnvironment == nil {
        print("environment \(ws.environment): this checkout now renders it (djsec env list)")
      }
    }

    /// What --import took and left, by name only: never a value.
    static func report(_ imported: SettingsImport?, file: String, store: String, dryRun: Bool) {
      guard let imported else { return print("nothing to import: there is no \(file)") }
      let list = { (names: [String]) in names.joined(separator: ", ") }
      if !imported.imported.isEmpty { print("\(dryRun ? "would import" : "imported") into \(store): \(list(imported.imported))") }
      if imported.weakKey { print("the old file's SECRET_KEY is weak (Django would warn about it): not imported") }
      if !imported.alreadyStored.isEmpty { print("already in \(store) with the same value: \(list(imported.alreadyStored))") }
      if !imported.storeDiffers.isEmpty { print("not imported, the store holds another value: \(list(imported.storeDiffers))") }
      if !imported.notImported.isEmpty {
        let others = imported.otherStatements
        let more = others == 0 ? "" : " (and \(others) other statement\(others == 1 ? "" : "s"))"
        print("not imported, kept in the backup: \(list(imported.notImported))\(more)")
      }
      if !imported.setByTemplate.isEmpty { print("set by the template instead: \(list(imported.setByTemplate))") }
      if !imported.notImported.isEmpty || !imported.storeDiffers.isEmpty {
        print(
          "to carry a setting such as DATABASES over: store its password ('djsec secret set DB_PASSWORD'), write the setting "
            + "in your own template using DB_PASSWORD, and render with it ('djsec render --template FILE'; see docs/keygen-and-init.md)")
      }
    }
  }
}
