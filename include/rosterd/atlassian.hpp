#pragma once
// The Atlassian Admin API client in one include: value types, pure parsers, retry policy, client.
#include "rosterd/atlassian_client.hpp"
#include "rosterd/atlassian_parse.hpp"
#include "rosterd/atlassian_policy.hpp"
#include "rosterd/atlassian_types.hpp"
