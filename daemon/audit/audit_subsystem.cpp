#include "audit_service.hpp"
#include "rosterd/audit/subsystem.hpp"

namespace rosterd::audit {

std::unique_ptr<Subsystem> make_audit_subsystem(DaemonContext& context) {
    return std::make_unique<AuditService>(context);
}

}  // namespace rosterd::audit
