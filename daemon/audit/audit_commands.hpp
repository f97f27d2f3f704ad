#pragma once
// The audit command in its own file (audit_command_list.cpp), returning its spec with its
// handler; AuditService::register_commands adds it in one line.
#include "rosterd/control/registry.hpp"

namespace rosterd::audit {

class AuditService;

control::CommandSpec audit_command(AuditService& audit);  // audit_command_list.cpp

}  // namespace rosterd::audit
