//! How the benchmark's own servers (the ceiling and the floors) run: on a multi-threaded tokio
//! runtime with one worker per core, as `lethe serve` does, answering at one address.

use axum::Router;

/// Serves `app` at `addr` until the process is stopped; `name` goes into the startup line.
pub fn run(name: &str, addr: &str, app: Router) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!("{name} is listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
