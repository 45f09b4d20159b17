/// djsec's version: `djsec --version` prints it, and reports that name their
/// tool's version (GitLab's secret-detection report) write it.
public enum DjsecVersion {
  public static let current = "0.1.0"
}
