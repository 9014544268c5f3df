// The Platform API: Heroku's resources and JSON shapes over HTTP (cpp-httplib), served by
// `slipway serve --api ADDR`, so that the unmodified `heroku` CLI and Heroku tooling work
// against Slipway. Each request acts for the user of its bearer token (core/access/users.hpp) and
// reaches only the apps that user may; changes go through the same core functions as the
// commands, so each is the same release the local command would make.
#pragma once

#include <util/result.hpp>

#include <memory>
#include <string>

namespace slipway::api {

class ApiServer
{
public:
  // Listen on `address` (HOST:PORT, or PORT on 127.0.0.1) for the apps under `root`, on a
  // thread of its own; errors when the address is bad or taken.
  static util::Result<std::unique_ptr<ApiServer>> start(const std::string& root, const std::string& address,
                                                         int router_port = 80);
  ~ApiServer(); // stops listening; requests in flight finish

  struct Impl;

private:
  std::unique_ptr<Impl> m_impl;
};

} // namespace slipway::api
