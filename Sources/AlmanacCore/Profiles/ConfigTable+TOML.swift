extension ConfigTable {
    /// Parses TOML `text` into a table; `file` names it in the issue a syntax error becomes
    /// (`config.syntax`, with line and column). For settings files outside profiles
    /// (`almanac connector-test --settings`).
    public static func parse(toml text: String, file: String) -> Result<ConfigTable, ConfigIssue> {
        TOMLReader.parse(text, file: file)
    }
}
