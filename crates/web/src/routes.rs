//! Where routes are registered: each with its handler, its OpenAPI entry and its action in the
//! policy table, in one call. The gate refuses any route that is missing from the table.

use crate::state::{AppState, Settings};
use crate::{api, assets, auth, pages, telemetry};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::MethodRouter;
use liaison_app::Db;
use liaison_domain::authz::Action;
use liaison_domain::clock::Clock;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa::openapi::path::PathItem;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

/// Which action each (method, route) takes. Built with the router; read by the gate and by the
/// authorization-matrix test.
#[derive(Debug, Default, Clone)]
pub struct Policy {
    map: BTreeMap<(String, String), Action>,
}

impl Policy {
    pub fn action(&self, method: &Method, route: &str) -> Option<Action> {
        let m = if method == Method::HEAD { "GET" } else { method.as_str() };
        self.map.get(&(m.to_owned(), route.to_owned())).copied()
    }

    /// The methods registered for a route, for a 405's `Allow` header.
    pub fn methods(&self, route: &str) -> Vec<String> {
        let mut m: Vec<String> = self.map.keys().filter(|(_, p)| p == route).map(|(m, _)| m.clone()).collect();
        if m.iter().any(|x| x == "GET") {
            m.push("HEAD".into());
        }
        m
    }

    /// Every registered (method, route, action).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, Action)> {
        self.map.iter().map(|((m, p), a)| (m.as_str(), p.as_str(), *a))
    }

    fn insert(&mut self, method: &str, route: &str, action: Action) {
        let previous = self.map.insert((method.to_owned(), route.to_owned()), action);
        assert!(previous.is_none(), "route {method} {route} registered twice");
    }
}

fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(m, present)| present.then_some(m))
    .collect()
}

pub(crate) struct Registry {
    api: OpenApiRouter<AppState>,
    plain: Router<AppState>,
    policy: Policy,
}

impl Registry {
    /// An API route documented in OpenAPI (`routes!(handler)`).
    pub(crate) fn api(mut self, action: Action, r: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in r.1.paths.iter() {
            for m in methods(item) {
                self.policy.insert(m, path, action);
            }
        }
        self.api = self.api.routes(r);
        self
    }

    /// A page or another route that is not part of the JSON API.
    pub(crate) fn page(mut self, method: Method, path: &str, action: Action, handler: MethodRouter<AppState>) -> Self {
        self.policy.insert(method.as_str(), path, action);
        self.plain = self.plain.route(path, handler);
        self
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "liaison API", description = "人大代表联络站服务平台 JSON API. Errors answer `{\"error\": {\"code\", \"message\", \"field\"}}`."),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The state handlers share: the database, the clock, settings, the working-day calendar (built-in
/// years plus any `DATA/calendar/YYYY.txt`), and the public rate limiter.
pub fn app_state(db: Db, clock: Arc<dyn Clock>, settings: Settings, policy: Arc<Policy>) -> AppState {
    let app = liaison_app::App::new(db, clock, settings.app_config());
    // Inside a runtime, submissions go through the group committer; without one (a plain
    // function call), each commits on its own. The search index follows the database there too.
    if tokio::runtime::Handle::try_current().is_ok() {
        app.start();
    }
    let limits = Arc::new(crate::limits::Limits::new(&settings));
    AppState { app, settings: Arc::new(settings), policy, limits }
}

/// Builds the whole application: routes, policy, OpenAPI document and middleware.
/// The whole application, and the state its handlers share (for background jobs and tests).
pub fn build_app(db: Db, clock: Arc<dyn Clock>, settings: Settings) -> (Router, AppState) {
    let registry = Registry {
        api: OpenApiRouter::with_openapi(ApiDoc::openapi()),
        plain: Router::new(),
        policy: Policy::default(),
    };
    let registry = pages::register(api::register(registry));
    let Registry { api, plain, mut policy } = registry;
    let (api_router, openapi) = api.split_for_parts();
    let openapi_json: Arc<str> = openapi.to_pretty_json().expect("OpenAPI document serialises").into();
    policy.insert("GET", "/api/openapi.json", Action::Public);
    policy.insert("GET", "/static/{*path}", Action::Public);
    let policy = Arc::new(policy);
    let body_limit = settings.body_limit;
    let state = app_state(db, clock, settings, policy);
    let router = api_router
        .merge(plain)
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = openapi_json.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], doc.to_string()) }
            }),
        )
        .route("/static/{*path}", axum::routing::get(assets::serve))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::gate))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(body_limit, crate::text_guard::refuse_control_characters))
        .layer(axum::middleware::from_fn(crate::security_headers::set))
        .with_state(state.clone());
    (telemetry::wrap(router), state)
}
