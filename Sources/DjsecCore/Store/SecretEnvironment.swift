import Foundation

/// The environment `djsec exec` gives a command: djsec's own without any
/// DJSEC_* variable (ChildEnvironment), plus each secret of the store under
/// its own name, so a process gets its secrets without any file on disk. A
/// secret wins over an inherited variable of the same name: the store is
/// what the user asked for.
public enum SecretEnvironment {
  /// `KEY=VALUE` entries as bytes (values are any bytes but NUL, which no
  /// environment can hold), in name order.
  public static func entries(_ store: SecretStore, only: [String]) throws(ExecError) -> [[UInt8]] {
    let names = only.isEmpty ? store.names : only
    var secrets: [String: [UInt8]] = [:]
    for name in names {
      guard store.contains(name) else { throw .missingSecret(name: name, store: store.url.lastPathComponent) }
      // Named on purpose with --only, it goes through; from the store alone, anyone who can sign it would choose what code runs.
      if only.isEmpty, changesWhatRuns(name) { throw .changesWhatRuns(name: name) }
      let bytes: [UInt8]
      do { bytes = try store.value(name).withUnsafeBytes { Array($0) } } catch { throw .store(error) }
      guard !bytes.contains(0) else { throw .nulInValue(name: name) }
      secrets[name] = bytes
    }
    var variables = ChildEnvironment.variables().mapValues { Array($0.utf8) }
    variables.merge(secrets) { $1 }
    return variables.keys.sorted().map { Array($0.utf8) + [UInt8(ascii: "=")] + variables[$0]! }
  }
}

extension SecretEnvironment {
  /// Variables that decide which code a process runs or loads, where its
  /// TLS trust and traffic go, not what it is told: the dynamic loader's and
  /// glibc's, interpreters' search paths and start-up files and package
  /// indexes, git's, OpenSSL's, the WSGI/ASGI servers' command lines
  /// (GUNICORN_CMD_ARGS takes `-c config.py`), proxies and CA bundles, PATH,
  /// HOME, a shell's start-up file, and the settings module Django imports.
  /// A store value under such a name is a way to run code. A list of names
  /// cannot be complete; it covers what a Django deploy runs.
  static func changesWhatRuns(_ name: String) -> Bool {
    let prefixes = [
      "LD_", "DYLD_", "GCONV_", "GLIBC_", "PYTHON", "PERL", "RUBY", "GEM_", "NODE_", "NPM_CONFIG_", "PIP_", "JAVA_", "JDK_", "_JAVA_",
      "GIT_", "OPENSSL_", "SSL_CERT_", "UWSGI_", "UVICORN_", "HYPERCORN_", "DAPHNE_",
    ]
    let names: Set = [
      "PATH", "HOME", "SHELL", "TMPDIR", "BASH_ENV", "BASHOPTS", "ENV", "IFS", "SHELLOPTS", "PS4", "LOCPATH", "NLSPATH", "HOSTALIASES",
      "RES_OPTIONS", "LOCALDOMAIN", "EDITOR", "VISUAL", "PAGER", "GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "SSLKEYLOGFILE",
      "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "DJANGO_SETTINGS_MODULE",
      "DJANGO_CONFIGURATION",
    ]
    return names.contains(name) || prefixes.contains { name.hasPrefix($0) }
  }
}

/// Why `djsec exec` could not start the command.
public enum ExecError: Error, Equatable, Sendable {
  case missingSecret(name: String, store: String)
  case nulInValue(name: String)
  /// A stored name that decides what code runs (LD_PRELOAD, PYTHONPATH, PATH...).
  case changesWhatRuns(name: String)
  case notFound(command: String)
  case cannotRun(command: String, errno: Int32)
  case store(StoreError)
}

extension ExecError: DjsecError {
  public var message: String {
    switch self {
    case .missingSecret(let n, let s): "no secret named \(n) in \(s)"
    case .nulInValue(let n): "\(n) holds a NUL byte, which no environment variable can carry"
    case .changesWhatRuns(let n): "refusing to pass \(n) from the store: it changes which code the command runs"
    case .notFound(let c): "cannot run \(c): not found" + (c.contains("/") ? "" : " on PATH")
    case .cannotRun(let c, let code): "cannot run \(c): \(String(cString: strerror(code)))"
    case .store(let e): e.message
    }
  }

  public var hint: String? {
    switch self {
    case .missingSecret: "list the names with 'djsec secret list', or leave out --only"
    case .nulInValue: "hand it over another way (render it into local_settings.py), or leave it out with --only"
    case .changesWhatRuns(let n):
      "remove it from the store (djsec secret rm \(n)) and ask who set it; to pass it on purpose, name every secret to pass with --only"
    case .notFound, .cannotRun: "check the command and PATH"
    case .store(let e): e.hint
    }
  }

  public var exitCode: Int32 {
    switch self {
    case .missingSecret: 1
    case .notFound: 127
    case .cannotRun: 126
    default: 2
    }
  }
}
