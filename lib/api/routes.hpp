// The Platform API's routes, one line each in one table (routes.cpp): method, path, the door a
// request comes through and what its caller needs. The server checks that need before any
// handler runs (server.cpp: dispatch), so a handler never decides who may call it.
#pragma once

#include <string>
#include <vector>

namespace slipway::api {

struct Call;

// What a route's caller needs, checked by the server before the handler runs.
enum class Need {
  grant,    // no token: the URL is the credential (a signed stream URL, an upload's token, the
            // sign-in form), which the handler checks
  user,     // any signed-in user; the handler shows only the apps they may see
  viewer,   // this role or more on the path's {app}; a user without any role there gets 404
  deployer, //
  owner,    //
  admin,    // an admin of this server
};

// How a caller proves who they are, and how a refusal is answered.
enum class Door {
  token, // a bearer token; refusals in Heroku's JSON
  page,  // the Activity page's session cookie; refusals as HTML, or a redirect to sign in
};

struct Route
{
  const char* method;
  // {app}: the app the need is checked on (always the first segment to match); {id}: any
  // other segment; {n}: a number; {uuid}: an upload id.
  const char* path;
  Need need;
  void (*handler)(Call&);
  Door door = Door::token;
};

// Every route the API serves.
const std::vector<Route>& route_table();

// "grant", "user", "viewer", "deployer", "owner" or "admin".
std::string need_name(Need need);

// The regular expression cpp-httplib matches for a route's path.
std::string path_pattern(const std::string& path);

} // namespace slipway::api
