/// Every error djsec reports to a user conforms to this: one line saying what
/// was tried and failed (never a secret value, always a path or an id), an
/// optional hint saying what to do, and the exit code.
public protocol DjsecError: Error {
  var message: String { get }
  var hint: String? { get }
  /// 2 means "could not run" by default; 1 is reserved for outcomes such as
  /// findings or a missing secret.
  var exitCode: Int32 { get }
}

extension DjsecError {
  public var exitCode: Int32 { 2 }
}
