// The only file that calls Hyperscan. Every rule's pattern goes into one
// block-mode database, compiled once (and cached between runs, see
// EngineCache.swift); a scan reports (rule, end offset) hits
// that the precise matcher (PCRE2.swift) then confirms.
internal import CHyperscan

#if canImport(Glibc)
  import Glibc
#endif

/// One compiled database. Immutable after compilation, so one instance is
/// shared by every worker thread; each thread brings its own scratch.
final class HyperscanDatabase: @unchecked Sendable {
  private let database: OpaquePointer

  struct CompileFailure: Error {
    let index: Int
    let message: String
  }

  /// Compiles every expression in prefilter mode: Hyperscan may then report a
  /// superset of the real matches (it relaxes what it cannot do exactly, such
  /// as back-references), never fewer, which is what a prefilter must promise.
  /// `ids[i]` is what a match of `expressions[i]` reports (the rule's index).
  ///
  /// With a `cache`, a database compiled before for exactly these inputs on
  /// this library and CPU is loaded instead, and a new one is stored there.
  /// `salt`: other inputs the cached database stands for (see RuleSet: the
  /// PCRE2-only patterns checked when it was compiled).
  /// `key`: the cache key of these inputs when the caller computed it already (`key(expressions:ids:salt:)`).
  init(expressions: [String], ids: [Int], cache: EngineCache? = nil, salt: [String] = [], key known: String? = nil)
    throws(CompileFailure)
  {
    let flags = Self.flags(expressions.count)
    let ids = ids.map(UInt32.init)
    let key = cache.map { _ in known ?? Self.cacheKey(expressions: expressions, ids: ids, flags: flags, salt: salt) }
    if let cache, let key, let bytes = cache.load(key: key) {
      if let database = Self.deserialize(bytes) {
        cache.note(loaded: 1)
        self.database = database
        return
      }
      cache.discard(key: key)
    }
    database = try Self.compile(expressions: expressions, ids: ids, flags: flags)
    if let cache, let key {
      cache.note(compiled: 1)
      if let bytes = Self.serialize(database) { cache.store(bytes, key: key) }
    }
  }

  private static func compile(expressions: [String], ids: [UInt32], flags: [UInt32]) throws(CompileFailure) -> OpaquePointer {
    var database: OpaquePointer?
    var failure: UnsafeMutablePointer<hs_compile_error_t>?
    let cStrings = expressions.map { strdup($0) }
    defer { cStrings.forEach { free($0) } }
    let status = cStrings.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { exprs in
      hs_compile_multi(
        exprs.baseAddress, flags, ids, UInt32(expressions.count), UInt32(HS_MODE_BLOCK), nil, &database, &failure)
    }
    guard status == HS_SUCCESS, let database else {
      let message = failure.map { String(cString: $0.pointee.message) } ?? "hs_compile_multi failed (\(status))"
      let position = failure.map { Int($0.pointee.expression) } ?? 0
      let index = position >= 0 && position < ids.count ? Int(ids[position]) : 0
      if let failure { hs_free_compile_error(failure) }
      throw CompileFailure(index: max(0, index), message: message)
    }
    return database
  }

  /// A digest of everything that shapes a compiled database: the library's
  /// version, the CPU features it compiles for (hs_compile_multi with no
  /// platform targets this machine), the mode, and each expression with its
  /// id and flags, in order. Every part is length-prefixed, so no two inputs
  /// run together into the same bytes.
  private static func flags(_ count: Int) -> [UInt32] {
    [UInt32](repeating: UInt32(HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY), count: count)
  }

  /// The cache key of a database of these inputs: with `EngineCache.contains`,
  /// whether one is stored (not yet checked: a damaged file is found, removed
  /// and rebuilt when it is loaded).
  static func key(expressions: [String], ids: [Int], salt: [String] = []) -> String {
    cacheKey(expressions: expressions, ids: ids.map(UInt32.init), flags: flags(expressions.count), salt: salt)
  }

  static func cacheKey(expressions: [String], ids: [UInt32], flags: [UInt32], salt: [String] = []) -> String {
    var material = Array("djsec hyperscan database 1\0".utf8)
    func append(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { material += $0 } }
    func append(_ bytes: [UInt8]) {
      append(UInt64(bytes.count))
      material += bytes
    }
    append(Array(String(cString: hs_version()).utf8))
    var platform = hs_platform_info_t()
    if hs_populate_platform(&platform) == HS_SUCCESS {
      // Field by field: the struct's padding bytes are not defined.
      append(UInt64(platform.tune))
      append(UInt64(platform.cpu_features))
      append(UInt64(platform.reserved1))
      append(UInt64(platform.reserved2))
    } else {
      append(Array("unknown platform".utf8))
    }
    append(UInt64(HS_MODE_BLOCK))
    append(UInt64(expressions.count))
    for (i, expression) in expressions.enumerated() {
      append(UInt64(ids[i]))
      append(UInt64(flags[i]))
      append(Array(expression.utf8))
    }
    append(UInt64(salt.count))
    for part in salt { append(Array(part.utf8)) }
    return SecretDigest.hex(material)
  }

  private static func serialize(_ database: OpaquePointer) -> [UInt8]? {
    var bytes: UnsafeMutablePointer<CChar>?
    var length = 0
    guard hs_serialize_database(database, &bytes, &length) == HS_SUCCESS, let bytes else { return nil }
    defer { free(bytes) }
    return Array(UnsafeRawBufferPointer(start: bytes, count: length))
  }

  /// "5.4.0", the version Hyperscan (or Vectorscan) reports, without its build date.
  static var libraryVersion: String { String(cString: hs_version()).split(separator: " ").first.map(String.init) ?? "unknown" }

  /// A database from cached bytes, or nil unless Hyperscan describes them as
  /// a block-mode database of this very library version, of a sane size, and
  /// then accepts them (it checks their platform and checksum itself).
  private static func deserialize(_ bytes: [UInt8]) -> OpaquePointer? {
    let version = libraryVersion == "unknown" ? "" : libraryVersion
    return bytes.withUnsafeBytes { raw -> OpaquePointer? in
      guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self), !version.isEmpty else { return nil }
      var info: UnsafeMutablePointer<CChar>?
      guard hs_serialized_database_info(base, raw.count, &info) == HS_SUCCESS, let info else { return nil }
      let described = String(cString: info)
      free(info)
      guard described.hasPrefix("Version: \(version) "), described.hasSuffix("Mode: BLOCK") else { return nil }
      var size = 0
      guard hs_serialized_database_size(base, raw.count, &size) == HS_SUCCESS, size > 0, size <= EngineCache.maximumSize
      else { return nil }
      var database: OpaquePointer?
      guard hs_deserialize_database(base, raw.count, &database) == HS_SUCCESS, let database else { return nil }
      return database
    }
  }

  deinit { hs_free_database(database) }

  func makeScratch() -> HyperscanScratch {
    var scratch: OpaquePointer?
    let status = hs_alloc_scratch(database, &scratch)
    precondition(status == HS_SUCCESS && scratch != nil, "hs_alloc_scratch failed: \(status)")
    return HyperscanScratch(scratch!)
  }

  /// Appends a hit for every match end in `bytes` to `hits`.
  func scan(_ bytes: UnsafeRawBufferPointer, scratch: HyperscanScratch, into hits: HitCollector) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    let context = Unmanaged.passUnretained(hits).toOpaque()
    _ = hs_scan(
      database, base.assumingMemoryBound(to: CChar.self), UInt32(min(bytes.count, Int(UInt32.max))), 0, scratch.pointer,
      { id, _, to, _, context in
        // A C callback captures nothing: the collector travels in `context`.
        let hits = Unmanaged<HitCollector>.fromOpaque(context!).takeUnretainedValue()
        hits.add(rule: Int(id), end: Int(to))
        return 0
      }, context)
  }
}

/// Per-thread working memory for Hyperscan.
final class HyperscanScratch {
  fileprivate let pointer: OpaquePointer
  fileprivate init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { hs_free_scratch(pointer) }
}

/// Where a scan's hits land. Bounded per rule: past `limit` hits of one rule in
/// one buffer the rest add no information (the windows already cover it).
final class HitCollector {
  private(set) var ends: [[Int]]
  private let limit: Int

  init(ruleCount: Int, limit: Int = 4096) {
    ends = Array(repeating: [], count: ruleCount)
    self.limit = limit
  }

  func add(rule: Int, end: Int) {
    if ends[rule].count < limit { ends[rule].append(end) }
  }

  func reset() {
    for i in ends.indices where !ends[i].isEmpty { ends[i].removeAll(keepingCapacity: true) }
  }
}
