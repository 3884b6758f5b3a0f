"""Reading pandapower tables into branch and injection arrays (pandapower bus ids, pu on 100 MVA)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from abm.grid.topology.conventions import BASE_MVA, TECHS
from abm.grid.topology.fuel_mix import seeded_mix_techs
from abm.grid.topology.repairs import unrated

TRAFO_LENGTH_KM = 0.1  # transformers have no route length; a substation's extent
_TECH_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("storage", ("storage", "battery", "bess", "pumped")),
    ("nuclear", ("nuclear", "nuc")),
    ("coal", ("coal", "lignite")),
    ("wind", ("wind", "wt", "wp", "offshore", "onshore")),
    ("solar", ("solar", "pv", "photovoltaic")),
    ("hydro", ("hydro", "water", "ror", "reservoir")),
    ("gas", ("gas", "ng", "cc", "ct", "ccgt", "ocgt", "gt", "chp")),
)


def tech_from_label(*labels: Any) -> str:
    """Technology from a pandapower element's type/name text; "other" when nothing matches."""
    for label in labels:
        if not isinstance(label, str) or not label.strip():
            continue
        text = label.lower()
        tokens = set(re.findall(r"[a-z]+", text))
        for tech, words in _TECH_WORDS:
            if any((len(w) > 4 and w in text) or w in tokens for w in words):
                return tech
    return "other"


def _column(df, name: str, default: float) -> np.ndarray:
    """Float column of a pandas table, or a default when the column is missing."""
    if name in df.columns:
        return df[name].to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(df), default)


def _open_switch_elements(net, et: str) -> set[int]:
    """Ids of lines ("l") or transformers ("t") with an open switch at either end."""
    sw = net.switch
    if len(sw) == 0:
        return set()
    return set(sw.loc[(sw.et == et) & ~sw.closed.astype(bool), "element"].astype(int).tolist())


def case_branches(net, live_bus: set[int]) -> dict[str, np.ndarray | list[str]]:
    """In-service lines, transformers and impedances as branch arrays (pandapower bus ids, pu on 100 MVA)."""
    parts = [_pp_lines(net, live_bus), _pp_trafos(net, live_bus), _pp_impedances(net, live_bus)]
    return {
        key: (
            sum((p[key] for p in parts), [])
            if key == "kind"
            else np.concatenate([p[key] for p in parts])
        )
        for key in ("from", "to", "x_pu", "rating_mw", "length_km", "kind")
    }


def _in_service(df, live_bus: set[int], bus_cols: tuple[str, ...]):
    """Rows in service whose buses are all in service (empty tables pass through)."""
    if len(df) == 0:
        return df
    mask = (
        df.in_service.astype(bool).to_numpy()
        if "in_service" in df.columns
        else np.ones(len(df), bool)
    )
    for col in bus_cols:
        mask &= df[col].isin(live_bus).to_numpy()
    return df[mask]


def _pp_lines(net, live_bus: set[int]) -> dict:
    """Lines: x = x_ohm_per_km * length / parallel on the from-bus voltage base; rating from max_i_ka."""
    ln = _in_service(net.line, live_bus, ("from_bus", "to_bus"))
    ln = ln[~ln.index.isin(_open_switch_elements(net, "l"))]
    vn_kv = net.bus.vn_kv.loc[ln.from_bus].to_numpy(dtype=float)
    parallel = _column(ln, "parallel", 1.0)
    z_base_ohm = vn_kv * vn_kv / BASE_MVA
    x_pu = ln.x_ohm_per_km.to_numpy(float) * ln.length_km.to_numpy(float) / parallel / z_base_ohm
    rating = (
        ln.max_i_ka.to_numpy(float) * _column(ln, "df", 1.0) * parallel * vn_kv * math.sqrt(3.0)
    )
    rating = np.where(unrated(rating), np.nan, rating)
    return {
        "from": ln.from_bus.to_numpy(np.int64),
        "to": ln.to_bus.to_numpy(np.int64),
        "x_pu": x_pu,
        "rating_mw": rating,
        "length_km": ln.length_km.to_numpy(float),
        "kind": ["line"] * len(ln),
    }


def _trafo_tap_voltages(tr) -> tuple[np.ndarray, np.ndarray]:
    """Rated winding voltages moved by in-phase ("Ratio"/"Symmetrical" without angle) tap changers."""
    vn_hv = tr.vn_hv_kv.to_numpy(float).copy()
    vn_lv = tr.vn_lv_kv.to_numpy(float).copy()
    if "tap_pos" not in tr.columns:
        return vn_hv, vn_lv
    steps = (
        (_column(tr, "tap_pos", np.nan) - _column(tr, "tap_neutral", 0.0))
        * _column(tr, "tap_step_percent", np.nan)
        / 100.0
    )
    changer = (
        tr["tap_changer_type"].astype(str).to_numpy() if "tap_changer_type" in tr.columns else None
    )
    in_phase = (
        np.isin(changer, ["Ratio", "Symmetrical"]) if changer is not None else np.isfinite(steps)
    )
    in_phase &= np.isfinite(steps) & (np.nan_to_num(_column(tr, "tap_step_degree", 0.0)) == 0.0)
    side = (
        tr["tap_side"].astype(str).to_numpy()
        if "tap_side" in tr.columns
        else np.full(len(tr), "hv")
    )
    vn_hv = np.where(in_phase & (side == "hv"), vn_hv * (1.0 + steps), vn_hv)
    vn_lv = np.where(in_phase & (side == "lv"), vn_lv * (1.0 + steps), vn_lv)
    return vn_hv, vn_lv


def _pp_trafos(net, live_bus: set[int]) -> dict:
    """Two-winding transformers: x from vk/vkr on sn_mva, times the off-nominal tap ratio (DC model)."""
    tr = _in_service(net.trafo, live_bus, ("hv_bus", "lv_bus"))
    tr = tr[~tr.index.isin(_open_switch_elements(net, "t"))]
    vn_hv, vn_lv = _trafo_tap_voltages(tr)
    bus_hv_kv = net.bus.vn_kv.loc[tr.hv_bus].to_numpy(float)
    bus_lv_kv = net.bus.vn_kv.loc[tr.lv_bus].to_numpy(float)
    sn_mva = tr.sn_mva.to_numpy(float)
    parallel = _column(tr, "parallel", 1.0)
    vk, vkr = tr.vk_percent.to_numpy(float), _column(tr, "vkr_percent", 0.0)
    x_sc = np.sqrt(np.maximum(vk * vk - vkr * vkr, 0.0)) / 100.0 * BASE_MVA / sn_mva
    turns = vn_lv / bus_lv_kv
    x_sc = x_sc * (turns * turns) / parallel
    ratio = (vn_hv / vn_lv) / (bus_hv_kv / bus_lv_kv)
    rating = sn_mva * parallel * _column(tr, "df", 1.0)
    return {
        "from": tr.hv_bus.to_numpy(np.int64),
        "to": tr.lv_bus.to_numpy(np.int64),
        "x_pu": x_sc * ratio,
        "rating_mw": np.where(unrated(rating), np.nan, rating),
        "length_km": np.full(len(tr), TRAFO_LENGTH_KM),
        "kind": ["trafo"] * len(tr),
    }


def _pp_impedances(net, live_bus: set[int]) -> dict:
    """Series impedance elements: xft_pu on their own sn_mva, rated at sn_mva."""
    im = _in_service(net.impedance, live_bus, ("from_bus", "to_bus"))
    sn_mva = _column(im, "sn_mva", np.nan)
    rating = np.where(unrated(sn_mva), np.nan, sn_mva)
    return {
        "from": _column(im, "from_bus", 0.0).astype(np.int64),
        "to": _column(im, "to_bus", 0.0).astype(np.int64),
        "x_pu": _column(im, "xft_pu", np.nan) * BASE_MVA / sn_mva,
        "rating_mw": rating,
        "length_km": np.full(len(im), TRAFO_LENGTH_KM),
        "kind": ["impedance"] * len(im),
    }


def case_injections(
    net,
    live_bus: set[int],
    node_of: dict[int, int],
    n: int,
    fuel_rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Peak load, installed MW by technology, case dispatch (MW per bus) and the slack bus.

    Technologies come from the elements' ``type``/``name``; when no generator names one and
    ``fuel_rng`` is given, the fleet takes the US mix by a seeded rule (``fuel_mix``).
    """
    load = np.zeros(n)
    gen = np.zeros((n, len(TECHS)))
    dispatch = np.zeros(n)
    ld = _in_service(net.load, live_bus, ("bus",))
    load_bus = np.array([node_of[b] for b in ld.bus.tolist()], dtype=np.int64)
    np.add.at(load, load_bus, ld.p_mw.to_numpy(float) * _column(ld, "scaling", 1.0))
    np.add.at(dispatch, load_bus, -ld.p_mw.to_numpy(float) * _column(ld, "scaling", 1.0))
    bus, capacity, techs = _case_generators(net, live_bus, node_of, dispatch)
    plants = [t != "storage" for t in techs]
    if fuel_rng is not None and all(t == "other" for t, p in zip(techs, plants, strict=True) if p):
        mixed = iter(seeded_mix_techs(capacity[np.array(plants, dtype=bool)], fuel_rng))
        techs = [next(mixed) if p else t for t, p in zip(techs, plants, strict=True)]
    for j, tech in enumerate(TECHS):
        mask = np.array([t == tech for t in techs], dtype=bool)
        np.add.at(gen[:, j], bus[mask], capacity[mask])
    negative = load < 0  # embedded generation booked as load in the case
    gen[negative, TECHS.index("other")] += -load[negative]
    load = np.maximum(load, 0.0)
    return load, gen, dispatch, _pp_slack(net, live_bus, node_of, gen)


def _case_generators(
    net, live_bus: set[int], node_of: dict[int, int], dispatch: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(node, installed MW, technology from type/name) of every in-service generating element.

    Installed MW is ``max_p_mw``, else ``|p_mw|``; the case's own dispatch is added to
    `dispatch` (ext_grid balances, so it adds none).
    """
    buses, caps, techs = [np.zeros(0, dtype=np.int64)], [np.zeros(0)], []
    for table in ("gen", "sgen", "ext_grid", "storage"):
        df = _in_service(net[table], live_bus, ("bus",))
        if len(df) == 0:
            continue
        bus = np.array([node_of[b] for b in df.bus.tolist()], dtype=np.int64)
        p_mw = _column(df, "p_mw", 0.0) * _column(df, "scaling", 1.0)
        capacity = np.fmax(
            np.nan_to_num(_column(df, "max_p_mw", np.nan), nan=0.0, posinf=0.0),
            np.abs(np.nan_to_num(p_mw)),
        )
        if table == "storage":
            techs += ["storage"] * len(df)
            np.add.at(dispatch, bus, -np.nan_to_num(p_mw))
        else:
            types = df["type"].tolist() if "type" in df.columns else [None] * len(df)
            names = df["name"].tolist() if "name" in df.columns else [None] * len(df)
            techs += [tech_from_label(t, nm) for t, nm in zip(types, names, strict=True)]
            if table != "ext_grid":
                np.add.at(dispatch, bus, np.nan_to_num(p_mw))
        buses.append(bus)
        caps.append(capacity)
    return np.concatenate(buses), np.concatenate(caps), techs


def _pp_slack(net, live_bus: set[int], node_of: dict[int, int], gen: np.ndarray) -> int:
    """Slack: the first in-service ext_grid bus, else a gen flagged slack, else the largest plant."""
    eg = _in_service(net.ext_grid, live_bus, ("bus",))
    if len(eg):
        return node_of[int(eg.bus.iloc[0])]
    gn = _in_service(net.gen, live_bus, ("bus",))
    if len(gn) and "slack" in gn.columns and gn.slack.astype(bool).any():
        return node_of[int(gn[gn.slack.astype(bool)].bus.iloc[0])]
    return int(np.argmax(gen.sum(axis=1)))
