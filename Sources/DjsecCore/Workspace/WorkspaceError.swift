/// Why djsec could not tell which project or environment a command is for.
public enum WorkspaceError: Error, Equatable, Sendable {
  /// `--env` or DJSEC_ENV holds something that is not an environment name.
  case invalidEnvironment(String, source: String)
  /// Several manage.py below the current folder, none above it.
  case severalProjects([String])
  /// A named environment without its store file.
  case unknownEnvironment(name: String, store: String, known: [String])
  /// `--store` names another environment's file than `--env`.
  case storeOfAnotherEnvironment(store: String, environment: String)
}

extension WorkspaceError: DjsecError {
  public var message: String {
    switch self {
    case .invalidEnvironment(let value, let source):
      "\(source) \(value) is not an environment name (1 to 32 of a-z 0-9 - _, starting with a letter)"
    case .severalProjects(let paths):
      "several Django projects below this folder: \(paths.map { $0 + "/manage.py" }.joined(separator: ", "))"
    case .unknownEnvironment(let name, let store, _): "no environment \(name): \(store) does not exist"
    case .storeOfAnotherEnvironment(let store, let environment): "\(store) is not environment \(environment)'s store"
    }
  }

  public var hint: String? {
    switch self {
    case .invalidEnvironment: "name an environment such as production, staging or development"
    case .severalProjects: "run djsec in the folder of the project you mean"
    case .unknownEnvironment(let name, _, let known):
      "create it with 'djsec init --env \(name) --host example.com'"
        + (known.isEmpty ? "" : ", or pick one of: \(known.joined(separator: ", ")) (djsec env list)")
    case .storeOfAnotherEnvironment: "pass --env or --store, not both"
    }
  }
}
