import AlmanacCore
import CSVConnector
import CronofyConnector
import ExecConnector
import GoogleCalendarConnector
import GoogleContactsConnector
import ODBCConnector
import XMLConnector

/// The connector kinds this build knows, `kind` → module. An explicit list: nothing registers
/// itself, and a test checks it.
public enum ConnectorRegistry {
    public static let modules: [any ConnectorModule.Type] = [
        ODBCModule.self,
        CSVModule.self,
        XMLModule.self,
        GoogleModule.self,
        GoogleContactsModule.self,
        CronofyModule.self,
        ExecModule.self,
    ]

    public static func module(kind: String) -> (any ConnectorModule.Type)? {
        modules.first { $0.kind == kind }
    }

    /// A profile loader that validates connector settings with these modules.
    public static var loader: ProfileLoader { ProfileLoader(connectors: modules) }
}
