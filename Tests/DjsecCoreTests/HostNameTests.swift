import Testing

@testable import DjsecCore

/// ALLOWED_HOSTS entries, as Django accepts them.
@Suite struct HostNameTests {
  @Test(arguments: ["example.com", ".example.com", "localhost", "127.0.0.1", "[::1]", "*", "a-b.example.co.uk", "example.com."])
  func accepts(_ host: String) {
    #expect(HostName.isValid(host))
  }

  @Test(arguments: [
    "", "exa mple.com", "-bad.com", "bad-.com", "a..b", "http://example.com", "example.com/path", "[nothex]", "ex_ample.com",
  ])
  func refuses(_ host: String) {
    #expect(!HostName.isValid(host))
  }
}
