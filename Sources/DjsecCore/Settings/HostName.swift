/// Validation of ALLOWED_HOSTS entries, following what Django itself accepts:
/// a host name (optionally with a leading dot for "this domain and every
/// subdomain"), `*`, an IPv4 address, or a bracketed IPv6 address.
public enum HostName {
  public static func isValid(_ host: String) -> Bool {
    if host == "*" { return true }
    if host.hasPrefix("["), host.hasSuffix("]") {
      let inner = host.dropFirst().dropLast()
      return !inner.isEmpty && inner.count <= 45 && inner.contains(":")
        && inner.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
    var name = Substring(host.lowercased())
    if name.hasPrefix(".") { name = name.dropFirst() }
    if name.hasSuffix(".") { name = name.dropLast() }  // a fully qualified name
    guard !name.isEmpty, name.count <= 253 else { return false }
    return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
      guard (1...63).contains(label.count), label.first != "-", label.last != "-" else { return false }
      return label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
    }
  }
}
