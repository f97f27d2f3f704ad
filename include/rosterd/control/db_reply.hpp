#pragma once
// The usual end of a read-only control command: the database thread builds the result document,
// and the loop answers with it, or with the error the read met.
#include <rapidjson/document.h>

#include <memory>

#include "rosterd/control/registry.hpp"
#include "rosterd/store/db_executor.hpp"

namespace rosterd::control {

inline auto answer_with_document(std::shared_ptr<Reply> reply) {
    return [reply = std::move(reply)](store::DbResult<std::shared_ptr<rapidjson::Document>> r) {
        if (!r.ok())
            reply->fail(kFailed, r.error);
        else
            reply->ok(**r.value);
    };
}

}  // namespace rosterd::control
