#include "query_service.hpp"
#include "rosterd/query/subsystem.hpp"

namespace rosterd::query {

std::unique_ptr<Subsystem> make_query_subsystem(DaemonContext& context) {
    return std::make_unique<QueryService>(context);
}

}  // namespace rosterd::query
