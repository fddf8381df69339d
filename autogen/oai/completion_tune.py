"""EcoOptiGen: cost-aware tuning of inference hyperparameters (``Completion.tune``).

The search space holds ``model``, the prompt template (``prompt`` or ``messages``), ``temperature`` or
``top_p``, ``max_tokens``, ``n`` and ``stop``. ``flaml.tune`` (BlendSearch) starts from the cheap corner of
the space (the cheapest model, the fewest tokens, n=1) and moves towards better configs, counting the dollar
cost of each trial against the optimization budget. Each config is evaluated on growing prefixes of the
data (1, 2, 4, ... instances); once its average cost per instance is over the inference budget it is pruned
(infeasible), so expensive configs cost little to rule out.

flaml is imported only when a search runs (it is slow to import).
"""

from __future__ import annotations

import logging
import math
import statistics
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from .model_prices import get_price

__all__ = ["TuneSetup", "aggregate", "default_space", "evaluate", "run_tune"]

logger = logging.getLogger(__name__)

CreateFn = Callable[[Dict[str, Any], Dict[str, Any]], Any]
# the keys whose values are lists of options that the search picks from by index
_CHOICE_KEYS = ("prompt", "messages", "stop")


def _flaml_tune() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "flaml.automl is not available": only flaml.tune is used
        from flaml import tune
    return tune


def default_space(models: Sequence[str]) -> Dict[str, Any]:
    """The classic default search space over ``models``."""
    tune = _flaml_tune()
    return {
        "model": tune.choice(list(models)),
        "temperature_or_top_p": tune.choice([{"temperature": tune.uniform(0, 2)}, {"top_p": tune.uniform(0, 1)}]),
        "max_tokens": tune.lograndint(50, 1000),
        "n": tune.randint(1, 100),
        "prompt": "{prompt}",
    }


def _options(key: str, value: Any) -> List[Any]:
    """The options a search-space value offers for a template key (a list of them, or one)."""
    if key == "messages":
        return list(value) if value and isinstance(value[0], list) else [value]
    return list(value) if isinstance(value, list) else [value]


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars (as the searchers suggest them) turned into Python numbers and strings."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    item = getattr(value, "item", None)
    return item() if callable(item) and type(value).__module__ == "numpy" else value


def _price_per_1k(model: str) -> float:
    price = get_price(model)
    return sum(price) if price is not None else math.inf


@dataclass
class TuneSetup:
    """Everything a search needs: the data, the objective, the budgets, the space and the fixed settings."""

    data: List[Dict[str, Any]]
    metric: str
    mode: str
    eval_func: Callable[..., Dict[str, Any]]
    inference_budget: Optional[float]
    optimization_budget: Optional[float]
    space: Dict[str, Any]
    choices: Dict[str, List[Any]]
    fixed: Dict[str, Any]
    low_cost: Dict[str, Any] = field(default_factory=dict)
    total_cost: float = 0.0
    initial_sample_size: int = 1

    @classmethod
    def build(
        cls,
        default: Dict[str, Any],
        data: List[Dict[str, Any]],
        metric: str,
        mode: str,
        eval_func: Callable[..., Dict[str, Any]],
        inference_budget: Optional[float],
        optimization_budget: Optional[float],
        config: Dict[str, Any],
    ) -> TuneSetup:
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}.")
        if not data:
            raise ValueError("tune() needs a non-empty list of data instances (dicts filling the templates).")
        if not callable(eval_func):
            raise ValueError("tune() needs eval_func(responses, **instance) -> dict of metrics.")
        config = dict(config)
        fixed: Dict[str, Any] = {
            key: config.pop(key) for key in ("config_list", "allow_format_str_template") if key in config
        }
        space = dict(default)
        if "messages" in config:
            space.pop("prompt", None)
        if "temperature" in config or "top_p" in config:
            space.pop("temperature_or_top_p", None)
        space.update(config)
        tune = _flaml_tune()
        choices: Dict[str, List[Any]] = {}
        for key in _CHOICE_KEYS:
            if key in space:
                choices[key] = _options(key, space[key])
                space[key] = tune.choice(list(range(len(choices[key])))) if len(choices[key]) > 1 else 0
        low_cost: Dict[str, Any] = {}
        model: Any = space.get("model")
        if isinstance(model, list):
            model = tune.choice(model)
        categories = getattr(model, "categories", None)
        if categories is not None:  # cheapest first: the search starts there
            ordered = sorted(categories, key=_price_per_1k)
            space["model"] = tune.choice(ordered)
            low_cost["model"] = ordered[0]
        for key in ("max_tokens", "n"):
            lower = getattr(space.get(key), "lower", None)
            if lower is not None:
                low_cost[key] = lower
        return cls(
            data=list(data),
            metric=metric,
            mode=mode,
            eval_func=eval_func,
            inference_budget=inference_budget,
            optimization_budget=optimization_budget,
            space=space,
            choices=choices,
            fixed=fixed,
            low_cost=low_cost,
        )

    @property
    def worst(self) -> float:
        return -math.inf if self.mode == "max" else math.inf

    def budget_spent(self) -> bool:
        return self.optimization_budget is not None and self.total_cost >= self.optimization_budget

    def starting_points(self) -> List[Dict[str, Any]]:
        """The cheap corner of the space once per prompt template (the search would rarely flip a template
        whose answers all score the same)."""
        points = [dict(self.low_cost)]
        for key in ("prompt", "messages"):
            if len(self.choices.get(key, [])) > 1:
                points = [{**point, key: i} for point in points for i in range(len(self.choices[key]))]
        return points if len(points) > 1 else []

    def params_for_create(self, config: Dict[str, Any]) -> Dict[str, Any]:
        """The ``create`` parameters of a point of the search space (template indices resolved)."""
        config = _plain(config)
        params = {key: value for key, value in config.items() if key != "temperature_or_top_p"}
        if isinstance(config.get("temperature_or_top_p"), dict):
            params.update(config["temperature_or_top_p"])
        for key, options in self.choices.items():
            if key in params:
                value = options[int(params[key])]
                if value is None:
                    params.pop(key)
                else:
                    params[key] = value
        params.update(self.fixed)
        config_list = self.fixed.get("config_list")
        if config_list is not None and params.get("model"):
            matching = [entry for entry in config_list if entry.get("model") in (None, params["model"])]
            if not matching:
                models = sorted({str(entry.get("model")) for entry in config_list})
                raise ValueError(
                    f"The search tried the model {params['model']!r} but no config of config_list serves it "
                    f"(models: {models}). Leave 'model' out of the configs to serve every model from the same "
                    "endpoint, or search only the listed models (model=[...])."
                )
            params["config_list"] = matching
        return params


def _response_texts(response: Dict[str, Any]) -> List[Any]:
    out: List[Any] = []
    for choice in response["choices"]:
        if "text" in choice:
            out.append(choice["text"])
            continue
        message = choice["message"]
        out.append(message if message.get("function_call") or message.get("tool_calls") else message["content"])
    return out


def _numbers(results: List[Dict[str, Any]]) -> List[str]:
    return [key for key, value in results[0].items() if isinstance(value, (int, float))]


def aggregate(
    results: List[Dict[str, Any]], agg_method: Union[str, Callable[..., Any], Dict[str, Any]] = "avg"
) -> Dict[str, Any]:
    """The per-instance metrics aggregated: "avg", "median", a function of the list, or a dict per metric."""
    if not results:
        return {}

    def one(name: str, values: List[Any]) -> Any:
        method = agg_method.get(name, "avg") if isinstance(agg_method, dict) else agg_method
        if method == "avg":
            return statistics.fmean(values)
        if method == "median":
            return statistics.median(values)
        if callable(method):
            return method(values)
        raise ValueError(f"agg_method must be 'avg', 'median' or a function, got {method!r}.")

    return {name: one(name, [r[name] for r in results if name in r]) for name in _numbers(results)}


def evaluate(
    setup: TuneSetup, config: Dict[str, Any], create: CreateFn, prune: bool = True, eval_only: bool = False
) -> Dict[str, Any]:
    """Evaluate one point of the space on the data: its metrics, ``cost``, ``inference_cost`` and ``total_cost``.

    Cost is counted per response (cached answers included), so the optimization budget is never overrun.
    """
    params = setup.params_for_create(config)
    results: List[Dict[str, Any]] = []
    cost = 0.0
    done = 0
    pruned = False
    checkpoint = min(setup.initial_sample_size, len(setup.data))
    for instance in setup.data:
        if not eval_only and setup.budget_spent():
            pruned = True
            logger.info("The optimization budget is spent; config %s is not evaluated further.", params)
            break
        response = create(instance, params)
        done += 1
        if response == -1:  # rate limit or timeout on every config: counts as a failed instance
            results.append({})
        else:
            cost += response["cost"]
            setup.total_cost += response["cost"]
            results.append(setup.eval_func(_response_texts(response), **instance))
        if done == checkpoint:
            if prune and setup.inference_budget is not None and cost / done > setup.inference_budget:
                pruned = True
                logger.info("Pruned config %s: %.6f per instance is over the inference budget.", params, cost / done)
                break
            checkpoint = min(checkpoint * 2, len(setup.data))
    scored = [r for r in results if r]
    result: Dict[str, Any] = aggregate(scored) if scored else {}
    inference_cost = cost / done if done else 0.0
    result.update({"cost": cost, "inference_cost": inference_cost, "total_cost": setup.total_cost})
    if pruned or setup.metric not in result:
        result[setup.metric] = setup.worst
    elif len(scored) < done:  # failed instances score as the worst of the others
        result[setup.metric] = aggregate(scored + [{setup.metric: 0}] * (done - len(scored)))[setup.metric]
    return result


def run_tune(
    setup: TuneSetup,
    create: CreateFn,
    num_samples: Optional[int],
    log_file_name: Optional[str],
    logging_level: Optional[int],
) -> Tuple[Dict[str, Any], Any]:
    """Run the search; returns ``(the best config as create() parameters, flaml's analysis)``."""
    tune = _flaml_tune()
    loggers = [logging.getLogger(name) for name in ("flaml.tune", "optuna")]
    previous = [one.level for one in loggers]
    for one in loggers:
        one.setLevel(logging_level or logging.WARNING)
    try:
        analysis = tune.run(
            lambda config: evaluate(setup, config, create),
            config=setup.space,
            low_cost_partial_config=setup.low_cost or None,
            points_to_evaluate=setup.starting_points() or None,
            metric=setup.metric,
            mode=setup.mode,
            num_samples=num_samples if num_samples is not None else 1,
            cost_attr="cost" if setup.optimization_budget is not None else None,
            cost_budget=setup.optimization_budget,
            log_file_name=log_file_name,
            # flaml writes its trial log only when verbose
            verbose=3 if (logging_level or logging.WARNING) <= logging.INFO else 1 if log_file_name else 0,
        )
    finally:
        for one, level in zip(loggers, previous):
            one.setLevel(level)
    best = analysis.best_config
    if best is None:
        raise RuntimeError("The search evaluated no config (is the optimization budget 0?).")
    return setup.params_for_create(best), analysis
