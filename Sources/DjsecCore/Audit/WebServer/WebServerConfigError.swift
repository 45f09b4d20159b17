/// Why djsec could not read a web server's configuration, with the line.
public enum WebServerConfigError: Error, Equatable, Sendable {
  case unreadable(file: String)
  case syntax(file: String, line: Int, reason: String)
  /// An include names a file that is being read already (or nests past IncludeWalker.maxDepth).
  case includeLoop(file: String, line: Int, included: String)
  /// A plain `include` path (no wildcard) that does not exist: the server would refuse to start.
  case includeNotFound(file: String, line: Int, included: String)
}

extension WebServerConfigError: DjsecError {
  public var message: String {
    switch self {
    case .unreadable(let f): "cannot read \(f)"
    case .syntax(let f, let l, let reason): "\(f):\(l): \(reason)"
    case .includeLoop(let f, let l, let inc): "\(f):\(l): including \(inc) again would loop"
    case .includeNotFound(let f, let l, let inc): "\(f):\(l): included file \(inc) does not exist"
    }
  }

  public var hint: String? {
    switch self {
    case .unreadable: "run djsec as a user who may read the configuration, or pass a copy with --nginx/--apache"
    case .syntax, .includeLoop, .includeNotFound: "check the configuration with 'nginx -t' or 'apache2ctl configtest'"
    }
  }
}
