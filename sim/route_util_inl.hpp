#pragma once
// Template part of route_util.hpp.
#include "field_source.hpp"

namespace rosterd::sim {

template <typename Fn>
void guarded(const httplib::Request& req, httplib::Response& res, Fn&& body) {
    try {
        body();
    } catch (const InvalidCursor& error) {
        send_api_error(req, res, 400, 1, error.what());
    } catch (const NotFound& error) {
        send_api_error(req, res, 404, error.number, error.what());
    } catch (const BadRequest& error) {
        // ADMIN-400-24 "invalid request body" / ADMIN-UAM-400-1 "bad request"
        send_api_error(req, res, 400, family_of(req.path) == ApiFamily::OrgV1Roles ? 1 : 24,
                       error.what());
    }
}

}  // namespace rosterd::sim
