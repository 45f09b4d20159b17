import ArgumentParser
import DjsecCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension Rule.Severity: ExpressibleByArgument {
  public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Djsec {
  struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "scan",
      abstract: "Find leaked Django keys and credentials in a repository's whole git history.",
      discussion: """
        Scans every blob reachable from every ref (branches, tags, remote-tracking refs, stash) once. \
        Exit codes: 0 nothing at or above --fail-on found, 1 (or --exit-code) leaks found, 2 could not scan.
        """
    )

    @Argument(help: "The repository (default: the current folder); with --no-git, files and folders.")
    var paths: [String] = []

    @Option(
      help: ArgumentHelp("Output format: \(Reporters.identifiers.joined(separator: ", ")).", valueName: "format"),
      completion: .list(Reporters.identifiers))
    var format = "text"

    @Option(name: .customLong("report"), help: "Write the report to this file instead of stdout.")
    var reportPath: String?

    @Flag(help: "Show the secrets themselves (redacted by default).")
    var showSecrets = false

    @Flag(help: "Also scan objects no ref reaches (what a force-push left behind).")
    var allObjects = false

    @Flag(help: "Scan files and folders as they are on disk, not git history.")
    var noGit = false

    @Flag(help: "Scan only what is staged for the next commit (for a pre-commit hook).")
    var staged = false

    @Option(help: "Scan only what commits after REV introduced (REV..HEAD).")
    var since: String?

    @Option(help: "Scan only what the commits in a range introduced, e.g. origin/main..HEAD.")
    var range: String?

    @Option(help: "Use this rules file instead of the built-in rules.")
    var rules: String?

    @Flag(help: "Also scan the history of each checked-out submodule (named in a warning otherwise).")
    var recurseSubmodules = false

    @Flag(help: "Also report what is in vendored trees (site-packages, node_modules, virtualenvs, .tox), skipped by default.")
    var includeVendored = false

    @Option(help: "Skip blobs larger than this many MiB.")
    var maxSize = 32

    @Option(help: "Findings to leave out, by fingerprint or secretHash (default: .djsecignore in the repository, if any).")
    var ignoreFile: String?

    @Option(
      help: ArgumentHelp(
        "Fail (exit 1) only on findings of this severity or above: low, medium, high or critical "
          + "(default: fail-on in .djsec.toml, else medium). Findings below it are still reported.", valueName: "severity"))
    var failOn: Rule.Severity?

    @Option(
      help: ArgumentHelp(
        "Read scan settings from this file (default: .djsec.toml at the repository root, if any).", valueName: "file"))
    var config: String?

    @Option(
      help: ArgumentHelp(
        "Read .djsec.toml, .djsecignore, .gitleaksignore and the settings files named in the repository as they are at REV (a pull request's base), not as the checkout has them.",
        valueName: "rev"))
    var settingsFrom: String?

    @Option(help: ArgumentHelp("Also read the rules and allow lists of this gitleaks TOML file.", valueName: "file"))
    var gitleaksConfig: String?

    @Option(help: ArgumentHelp("The exit code when findings at or above --fail-on are found (0 to 125, not 2).", valueName: "n"))
    var exitCode: Int32 = 1

    @Option(help: ArgumentHelp("Report only findings whose secret this baseline does not hold.", valueName: "file"))
    var baseline: String?

    @Option(
      help: ArgumentHelp(
        "Write the findings to this baseline file (secret ids, never values) and exit 0: later scans with --baseline report only new ones.",
        valueName: "file"))
    var writeBaseline: String?

    @Flag(help: "Redact the secrets in the report (the default; --show-secrets shows them).")
    var redact = false

    func validate() throws {
      // 2 is djsec's "could not scan"; above 125 the shell's own codes begin.
      guard (0...125).contains(exitCode), exitCode != 2 else {
        throw ValidationError("--exit-code \(exitCode) is out of range: use 0 to 125, not 2 (which means djsec could not scan)")
      }
      // 0 would skip every blob and pass; a huge value would overflow into nonsense.
      guard (1...4096).contains(maxSize) else {
        throw ValidationError("--max-size \(maxSize) is out of range: use 1 to 4096 (MiB)")
      }
      // An unset CI variable (`--since "$BASE"`) must not turn into a clean pass.
      for (name, value) in [("--since", since), ("--range", range), ("--settings-from", settingsFrom)] {
        if let value, value.trimmingCharacters(in: .whitespaces).isEmpty {
          throw ValidationError("\(name) is empty: name a commit, branch or tag (an unset CI variable?)")
        }
      }
      if settingsFrom != nil, noGit { throw ValidationError("--settings-from reads the settings from git: not with --no-git") }
      if redact, showSecrets { throw ValidationError("--redact and --show-secrets contradict each other: pick one") }
      if baseline != nil, writeBaseline != nil {
        throw ValidationError("--baseline and --write-baseline: write the baseline first, then scan against it")
      }
    }

    func run() throws {
      guard let reporter = Reporters.named(format) else {
        throw ValidationError("unknown format \(format): use \(Reporters.identifiers.joined(separator: ", "))")
      }
      if !noGit, paths.count > 1 { throw ValidationError("scan one repository at a time, or pass --no-git for files") }
      let repository = noGit ? nil : try GitRepository.open(URL(fileURLWithPath: paths.first ?? "."))
      // The repository's own settings and ignore files, whatever folder of it is scanned.
      let root = repository?.root ?? URL(fileURLWithPath: noGit ? "." : (paths.first ?? "."))
      let trusted = try TrustedSettings(self, repository: repository)
      // Read before the scan: a wrong file fails at once, not after it.
      let known = try trusted.reading {
        try trusted.baseline.map { path throws(BaselineError) in try Baseline.load(URL(fileURLWithPath: path)) }
      }
      let settingsRoot = trusted.snapshot?.root ?? root
      let settings = try trusted.reading {
        try ScanSettings.load(
          root: settingsRoot, config: trusted.config, gitleaksConfig: trusted.gitleaksConfig, rules: trusted.rules,
          startFolder: trusted.startFolder, cache: EngineCache(environment: ProcessInfo.processInfo.environment))
      }
      let failOn = self.failOn ?? settings.config.failOn ?? .medium
      var options = ScanOptions()
      options.allObjects = allObjects
      options.includeVendored = includeVendored
      options.recurseSubmodules = recurseSubmodules
      options.maxBlobSize = maxSize << 20
      if let since { options.revisions = ["\(since)..HEAD"] }
      if let range { options.revisions = [range] }
      let scanner = SecretScanner(ruleSet: settings.ruleSet, keepsContext: settings.config.needsContext)
      var result: ScanResult
      if let repository {
        if staged {
          result = try scanner.scanStaged(repository, options: options)
        } else {
          let progress = Progress.wanted ? Progress(color: Self.colorAllowed) : nil
          let draw: (@Sendable (ScanProgress) -> Void)? = progress.map { p in { @Sendable state in p.update(state) } }
          result = try scanner.scanGit(repository, options: options, progress: draw)
          progress?.clear()
        }
      } else {
        result = try scanner.scanFiles((paths.isEmpty ? ["."] : paths).map { URL(fileURLWithPath: $0) }, options: options)
      }
      result.warnings = trusted.warnings + trusted.differences(settings.config) + trusted.naming(settings.warnings) + result.warnings
      let scanned = result
      result = try trusted.reading { try settings.filter(scanned, root: settingsRoot, ignoreFile: trusted.ignoreFile) }
      if result.findings.contains(where: { KeysInUse.isDjangoKey($0) }) {
        var keys = QuietStores.keysInUse(root: root)
        // The stores in a pull request's checkout are its author's: one taken
        // out would make a key look old (low). Raised, never lowered.
        if trusted.snapshot != nil { keys.knowsEveryKey = false }
        result = keys.classify(result)
      }
      if let writeBaseline {
        let written = Baseline(result.findings)
        try AtomicFile.write(written.encoded(), to: URL(fileURLWithPath: writeBaseline), mode: 0o644)
        for warning in result.warnings { Diagnostics.warning(warning) }
        let n = written.entries.count
        Diagnostics.note("baseline of \(n) finding\(n == 1 ? "" : "s") written to \(writeBaseline)")
        return
      }
      if let known { result = known.newFindings(result) }
      for warning in result.warnings { Diagnostics.warning(warning) }
      let terminal = isatty(1) != 0 && reportPath == nil
      let color = terminal && Self.colorAllowed
      let text = reporter.render(
        result, options: ReportOptions(showSecrets: showSecrets, color: color && format == "text", rules: settings.ruleSet.rules))
      if let reportPath {
        try AtomicFile.write(text, to: URL(fileURLWithPath: reportPath), mode: showSecrets ? 0o600 : 0o644)
        // The report went to a file: the run's outcome still shows in the log.
        let n = result.findings.count
        let failing = result.findings.filter { $0.severity >= failOn }.count
        Diagnostics.note(
          (n == 0 ? "no leaks found" : "\(n) leak\(n == 1 ? "" : "s") found, \(failing) at or above \(failOn.rawValue)")
            + "; \(format) report written to \(reportPath)")
      } else {
        print(text, terminator: "")
      }
      // A fresh startproject's django-insecure- key is low: shown, not failed on.
      if result.findings.contains(where: { $0.severity >= failOn }), exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Colour unless NO_COLOR is set to anything (no-color.org) or the terminal is dumb.
    static var colorAllowed: Bool {
      let env = ProcessInfo.processInfo.environment
      return (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
    }
  }
}
