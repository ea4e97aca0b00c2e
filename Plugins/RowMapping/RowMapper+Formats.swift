import AlmanacCore

extension RowMapper {
    /// Parses a `formats` table (standard temporal field → format). Returns the formats and the
    /// messages for keys or patterns that are not valid, each naming the key.
    public static func formats(from table: ConfigTable?) -> ([StandardField: TimeFormat], [String]) {
        var out: [StandardField: TimeFormat] = [:]
        var errors: [String] = []
        for key in table?.keys ?? [] {
            let field = StandardField(name: key)
            guard field.isTemporal else {
                errors.append("\(key): only start_time, end_time, created and updated take a format")
                continue
            }
            guard let spec = table?.string(key) else { errors.append("\(key): expected a string"); continue }
            do { out[field] = try TimeFormat(spec) } catch { errors.append("\(key): \(error.message)") }
        }
        return (out, errors)
    }
}
