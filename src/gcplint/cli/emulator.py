"""`gcplint emulator serve|generate`: the local GCP REST API emulator, for demos and tests.
The emulator is imported only when one of these commands runs."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError


@click.group()
def emulator() -> None:
    """The local GCP REST API emulator."""


def _quotas(ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]) -> dict[str, float]:
    """LABEL=RPS specs as {label: requests per second}."""
    from ..collect.ratelimit import parse_rate

    try:
        return dict(parse_rate(spec, zero=False) for spec in specs)
    except ValueError as exc:
        raise click.BadParameter(
            f"{str(exc)!r} is not LABEL=RPS (an API label and a positive number, e.g. run=20)",
            ctx,
            param,
        ) from None


@emulator.command("serve")
@click.argument(
    "world_path", metavar="[WORLD]", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--port", type=click.IntRange(0, 65535), default=8089, show_default=True)
@click.option(
    "--page-size",
    type=click.IntRange(1, 10000),
    default=50,
    show_default=True,
    help="Items per page of every list.",
)
@click.option(
    "--latency", type=click.FloatRange(0, 60), default=0.0, help="Seconds added to every response."
)
@click.option(
    "--jitter",
    type=click.FloatRange(0, 60),
    default=0.0,
    metavar="SECONDS",
    help="Up to this many more seconds (uniformly random) added to every response.",
)
@click.option(
    "--quota",
    "quotas",
    multiple=True,
    callback=_quotas,
    metavar="LABEL=RPS",
    help="Requests per second an API allows (e.g. run=20); over it: 429. Repeatable.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of probabilistic faults and jitter.",
)
def emulator_serve(
    world_path: Path | None,
    port: int,
    page_size: int,
    latency: float,
    jitter: float,
    quotas: dict[str, float],
    seed: int,
) -> None:
    """Serve WORLD (default: the bundled demo world) on 127.0.0.1.

    Request counts per API (and quota rejections) are at GET /__emulator/stats."""
    from ..emulator import Emulator, World, demo_world

    world = World.load(world_path) if world_path else demo_world()
    try:
        server = Emulator(
            world,
            port=port,
            page_size=page_size,
            latency=latency,
            jitter=jitter,
            quotas=quotas,
            seed=seed,
        )
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    click.echo(
        f"gcplint emulator serving {world_path or 'the demo world'} on {server.url}", err=True
    )
    click.echo(f"  export GCPLINT_API_BASE={server.url}   (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@emulator.command("generate")
@click.option(
    "--projects", type=click.IntRange(0, 100000), required=True, help="Number of projects."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same world.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The world file to write (gzip-compressed when it ends in .gz).",
)
def emulator_generate(projects: int, seed: int, output: Path) -> None:
    """Write a random, realistic organization of N projects (a world for 'emulator serve')."""
    import json

    from ..emulator.generate import generate_org
    from ..output import atomic_output

    world = generate_org(projects, seed)
    with atomic_output(output, compress=output.suffix == ".gz") as stream:
        json.dump(world, stream, separators=(",", ":"))
    click.echo(f"wrote {projects} projects to {output}", err=True)
