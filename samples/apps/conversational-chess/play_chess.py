#!/usr/bin/env python
"""Conversational chess: two players, each an LLM agent or a human, chat with flair while a board proxy keeps score.

Run it from this folder (``pip install -r requirements.txt`` first):

    python play_chess.py                                  # LLM (white) against LLM (black)
    python play_chess.py --white human --black llm        # you play white
    python play_chess.py --max-moves 40 --svg-dir boards  # stop after 40 moves; save a picture per move

How it works:

* The **board proxy** agent owns the board (a :class:`chess_game.ChessGame`). It has no LLM; it runs the two tools
  the players use: ``get_legal_moves()`` and ``make_move(move)`` (a move in UCI, such as ``e2e4``). An illegal move
  is refused with the list of the legal ones.
* The two **players** talk to each other (that is the chat you see). When a player receives its opponent's
  message, it first holds a short *nested chat* with the board proxy: the proxy shows the position, the player
  calls the tools until a move is made, and the player's remark after its move becomes its reply to the opponent.
  An LLM player calls the tools through its model; a human player types a move, which becomes the same tool call.
* The game ends on checkmate, stalemate, a draw rule (insufficient material, repetition, fifty/seventy-five
  moves), the move limit, or when a player resigns or makes no legal move in ``--max-tries`` tool calls.

The model configuration comes from ``OAI_CONFIG_LIST``: an environment variable holding a JSON list of model configs
or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current directory, in this folder
or in the repository root.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

from chess_game import ChessGame, GameOver, MoveResult

import autogen
from autogen.io import IOStream

__all__ = ["ChessMatch", "GameReport", "GameSettings", "build_match", "main", "play"]

CONFIG_NAME = "OAI_CONFIG_LIST"
APP_DIR = Path(__file__).resolve().parent
PLAYER_KINDS = ("llm", "human")
EXIT_NO_CONFIG = 2

PLAYER_SYSTEM_MESSAGE = """You are a chess player with the {color} pieces, in a friendly but competitive game against {opponent}.
On your turn the board proxy shows you the position. Call get_legal_moves to see your legal moves, then call make_move with exactly one of them, in UCI (for example e2e4, or e7e8q to promote a pawn to a queen). If a move is refused, choose another one from the list you are given.
Make one move per turn. Once your move is made, do not call any more tools: reply with one or two sentences of table talk for your opponent, confident, witty and good-natured."""

OPENING_MESSAGE = "Let's play chess! You have the white pieces, so the first move is yours. Good luck!"

HUMAN_HELP = (
    "Type your move in UCI (e.g. e2e4, or e7e8q to promote), optionally followed by a remark for your opponent; "
    "'moves' lists your legal moves and 'resign' gives up."
)
LLM_INSTRUCTIONS = "Call get_legal_moves to see your legal moves, then make_move with your move in UCI."
LEGAL_MOVES_DESCRIPTION = "List the legal moves of the side to play, in UCI format."
MAKE_MOVE_DESCRIPTION = "Make a move for the side to play. The move must be legal and in UCI format, e.g. e2e4."


@dataclass
class GameSettings:
    """Who plays and how long the game may last."""

    white: str = "llm"
    """"llm" or "human"."""
    black: str = "llm"
    max_moves: Optional[int] = 100
    """Stop after this many moves in total (white's and black's both count); None for no limit."""
    max_tries: int = 10
    """Tool calls the board proxy answers in one turn; a player that has not moved by then forfeits."""
    svg_dir: Optional[str] = None
    """Save the board as an SVG picture there, at the start and after every move."""
    verbose: bool = False
    """Also show the players' conversations with the board proxy (tool calls and results)."""
    white_llm_config: Optional[dict[str, Any]] = None
    black_llm_config: Optional[dict[str, Any]] = None

    def __post_init__(self) -> None:
        for side in ("white", "black"):
            kind = getattr(self, side)
            if kind not in PLAYER_KINDS:
                raise ValueError(f"The {side} player must be one of {PLAYER_KINDS}, got {kind!r}.")
            if kind == "llm" and not getattr(self, f"{side}_llm_config"):
                raise ValueError(f"The {side} player is an LLM: give it an llm_config ({side}_llm_config).")
        if self.max_tries < 1:
            raise ValueError(f"max_tries must be at least 1, got {self.max_tries}.")


@dataclass
class GameReport:
    """What a finished game produced."""

    outcome: GameOver
    moves: list[str]
    """The moves in UCI."""
    san_moves: list[str]
    pgn: str
    svg_files: list[Path] = field(default_factory=list)
    chat_result: Any = None
    """The ChatResult of the players' conversation."""


@dataclass
class ChessMatch:
    """The agents of one game, wired together (see :func:`build_match`)."""

    game: ChessGame
    settings: GameSettings
    white: autogen.ConversableAgent
    black: autogen.ConversableAgent
    board_proxy: autogen.ConversableAgent

    def play(self) -> GameReport:
        """Play the game to its end; black's opening remark starts the players' chat."""
        chat_result = self.black.initiate_chat(self.white, message=OPENING_MESSAGE, summary_method="last_msg")
        outcome = self.game.outcome() or GameOver("*", "the players stopped talking")
        pgn = self.game.pgn(self.white.name, self.black.name)
        out = IOStream.get_default()
        out.print(f"\n=== Game over: {outcome.describe()}", flush=True)
        out.print(pgn, flush=True)
        return GameReport(
            outcome=outcome,
            moves=self.game.uci_moves,
            san_moves=list(self.game.san_moves),
            pgn=pgn,
            svg_files=list(self.game.svg_files),
            chat_result=chat_result,
        )


def _show_move(game: ChessGame, side: str, result: MoveResult) -> None:
    out = IOStream.get_default()
    out.print(f"\n>>> {result.number} {result.san}   ({side} played {result.uci})", flush=True)
    out.print(game.render() + "\n", flush=True)


def _own_remark(player: autogen.ConversableAgent, board_proxy: autogen.ConversableAgent) -> str:
    """The last thing ``player`` said (not a bare tool call) in its current chat with the board proxy."""
    for message in reversed(player.chat_messages.get(board_proxy, [])):
        content = message.get("content")
        if message.get("role") == "assistant" and isinstance(content, str) and content.strip():
            return content.strip()
    return ""


def _game_ended(game: ChessGame, message: dict[str, Any]) -> bool:
    """A player's termination test: the game is over. The board proxy's answer to the last move is still read, so
    that the player who ended the game has its say."""
    return game.is_over and message.get("role") != "tool"


def _make_llm_player(color: str, opponent: str, llm_config: dict[str, Any], game: ChessGame) -> Any:
    return autogen.ConversableAgent(
        color,
        system_message=PLAYER_SYSTEM_MESSAGE.format(color=color, opponent=opponent),
        llm_config=llm_config,
        human_input_mode="NEVER",
        is_termination_msg=lambda message: _game_ended(game, message),
        max_consecutive_auto_reply=(game.max_moves or 10_000) + 1,
        description=f"The chess player with the {color} pieces.",
    )


def _make_human_player(color: str, game: ChessGame, board_proxy: autogen.ConversableAgent, show_prompts: bool) -> Any:
    """A player whose moves are typed by a person; each typed move becomes a tool call for the board proxy."""
    player = autogen.ConversableAgent(
        color,
        llm_config=False,
        human_input_mode="NEVER",  # the reply function below asks the person itself
        is_termination_msg=lambda message: _game_ended(game, message),
        max_consecutive_auto_reply=(game.max_moves or 10_000) + 1,
        description=f"The chess player with the {color} pieces (a human).",
    )
    call_ids = itertools.count(1)
    remark = {"text": ""}

    def tool_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        function = {"name": name, "arguments": json.dumps(arguments)}
        call = {"id": f"{color}_move_{next(call_ids)}", "type": "function", "function": function}
        return {"role": "assistant", "content": None, "tool_calls": [call]}

    def human_turn(
        recipient: Any, messages: Optional[list[dict[str, Any]]] = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        if game.turn_finished:  # the move is made (or the game is over): say the remark, ending the turn
            return True, remark["text"] or "Your move."
        if show_prompts and messages:
            IOStream.get_default().print(f"\n{messages[-1].get('content') or ''}", flush=True)
        while True:
            try:
                line = recipient.get_human_input(f"{color} to play> ").strip()
            except EOFError:
                line = "resign"
            word, _, rest = line.partition(" ")
            if not word:
                continue
            if word.lower() in ("help", "?"):
                IOStream.get_default().print(HUMAN_HELP, flush=True)
                continue
            if word.lower() in ("moves", "legal"):
                return True, tool_call("get_legal_moves", {})
            remark["text"] = rest.strip()
            if word.lower() in ("resign", "exit", "quit"):
                game.forfeit(color, "resigned")
                remark["text"] = remark["text"] or "I resign. Well played!"
                return True, remark["text"]
            return True, tool_call("make_move", {"move": word})

    player.register_reply(board_proxy, human_turn, position=0)
    return player


def build_match(settings: GameSettings) -> ChessMatch:
    """Create the game, the board proxy and the two players, and wire their tools and nested chats."""
    game = ChessGame(max_moves=settings.max_moves, svg_dir=settings.svg_dir)
    board_proxy = autogen.ConversableAgent(
        "board_proxy",
        llm_config=False,
        human_input_mode="NEVER",
        # the turn is over once the player has moved (and said its piece), or the game has ended
        is_termination_msg=lambda message: game.turn_finished,
        max_consecutive_auto_reply=settings.max_tries,
        default_auto_reply="Please make your move with make_move (get_legal_moves lists the legal moves).",
        description="Owns the chess board: shows the position and runs the players' moves.",
    )
    players: dict[str, Any] = {}
    for color, opponent in (("white", "black"), ("black", "white")):
        if getattr(settings, color) == "llm":
            llm_config = getattr(settings, f"{color}_llm_config")
            players[color] = _make_llm_player(color, opponent, llm_config, game)
        else:
            players[color] = _make_human_player(color, game, board_proxy, show_prompts=not settings.verbose)

    def get_legal_moves() -> str:
        return game.legal_moves_text()

    def make_move(move: Annotated[str, "the move in UCI format, e.g. e2e4 (or e7e8q to promote a pawn)"]) -> str:
        side = game.to_play
        result = game.make_move(move)
        if result.moved:
            _show_move(game, side, result)
        else:
            IOStream.get_default().print(f"\n>>> {side} tried {move.strip()!r}: refused", flush=True)
        return result.message

    # the board proxy runs the tools; the LLM players' models may call them (a human's moves become the same calls)
    board_proxy.register_for_execution()(get_legal_moves)
    board_proxy.register_for_execution()(make_move)
    for color, player in players.items():
        if getattr(settings, color) == "llm":
            player.register_for_llm(description=LEGAL_MOVES_DESCRIPTION)(get_legal_moves)
            player.register_for_llm(description=MAKE_MOVE_DESCRIPTION)(make_move)

    for color, opponent in (("white", "black"), ("black", "white")):
        _register_turn(players[color], players[opponent], color, getattr(settings, color), game, board_proxy, settings)
    return ChessMatch(game, settings, players["white"], players["black"], board_proxy)


def _register_turn(
    player: Any, opponent: Any, color: str, kind: str, game: ChessGame, board_proxy: Any, settings: GameSettings
) -> None:
    """When ``player`` hears from ``opponent``, it first plays its turn in a nested chat with the board proxy."""

    def turn_message(recipient: Any, messages: Optional[list[dict[str, Any]]], sender: Any, config: Any) -> str:
        game.begin_turn()
        lines = [f"Move {game.board.fullmove_number}: you are {color}, and it is your turn."]
        if game.san_moves:
            lines.append(f"Your opponent ({opponent.name}) played {game.uci_moves[-1]} ({game.san_moves[-1]}).")
        said = (messages or [{}])[-1].get("content")
        if isinstance(said, str) and said.strip():
            lines.append(f'{opponent.name} says: "{said.strip()}"')
        lines += ["", game.render(), "", f"FEN: {game.board.fen()}", ""]
        lines.append(HUMAN_HELP if kind == "human" else LLM_INSTRUCTIONS)
        return "\n".join(lines)

    def turn_summary(sender: Any, recipient: Any, summary_args: dict[str, Any]) -> str:
        if not game.turn_finished:
            game.forfeit(color, f"made no legal move in {settings.max_tries} tries")
        remark = _own_remark(player, board_proxy)
        if remark:
            return remark
        if game.moved_this_turn:
            return f"I played {game.san_moves[-1]}."
        return "I could not find a move."

    player.register_nested_chats(
        [
            {
                "sender": board_proxy,
                "recipient": player,
                "message": turn_message,
                "summary_method": turn_summary,
                "silent": not settings.verbose,
            }
        ],
        trigger=opponent,
    )


def load_config_list() -> list[dict[str, Any]]:
    """The model configs from OAI_CONFIG_LIST (the variable, else the file here, in this folder or the repo root)."""
    if os.environ.get(CONFIG_NAME):
        return list(autogen.config_list_from_json(CONFIG_NAME))
    for folder in dict.fromkeys([Path.cwd(), APP_DIR, APP_DIR.parents[2]]):
        if (folder / CONFIG_NAME).is_file():
            return list(autogen.config_list_from_json(CONFIG_NAME, file_location=str(folder)))
    raise FileNotFoundError(
        f"No model is configured: set {CONFIG_NAME} to a JSON list of model configs (or to the path of a file with "
        f"one), or create the file {CONFIG_NAME} here (start from OAI_CONFIG_LIST_sample in the repository)."
    )


def llm_config_for(config_list: list[dict[str, Any]], model: Optional[str] = None) -> dict[str, Any]:
    """An llm_config using ``config_list`` (only its entries for ``model`` when given)."""
    if model:
        config_list = autogen.filter_config(config_list, {"model": [model]})
        if not config_list:
            raise ValueError(f"No entry of {CONFIG_NAME} is for the model {model!r}.")
    # cache_seed=None: every game is a new game, not a replay of answers cached by an earlier one
    return {"config_list": config_list, "cache_seed": None}


def play(settings: GameSettings) -> GameReport:
    """Build the match and play it to its end."""
    return build_match(settings).play()


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Conversational chess between AutoGen agents and/or humans.")
    parser.add_argument("--white", choices=PLAYER_KINDS, default="llm", help="who plays white (default: %(default)s)")
    parser.add_argument("--black", choices=PLAYER_KINDS, default="llm", help="who plays black (default: %(default)s)")
    parser.add_argument("--white-model", default=None, help="the model of an LLM white player (default: any)")
    parser.add_argument("--black-model", default=None, help="the model of an LLM black player (default: any)")
    parser.add_argument(
        "--max-moves",
        type=int,
        default=100,
        help="stop after this many moves in total, both sides counted; 0 for no limit (default: %(default)s)",
    )
    parser.add_argument(
        "--max-tries",
        type=int,
        default=10,
        help="tool calls a player gets per turn before it forfeits (default: %(default)s)",
    )
    parser.add_argument("--svg-dir", default=None, help="save an SVG picture of the board per move in this folder")
    parser.add_argument("--verbose", action="store_true", help="also show the players' talks with the board proxy")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    llm_configs: dict[str, Optional[dict[str, Any]]] = {"white": None, "black": None}
    if "llm" in (args.white, args.black):
        try:
            config_list = load_config_list()
            for side in ("white", "black"):
                if getattr(args, side) == "llm":
                    llm_configs[side] = llm_config_for(config_list, getattr(args, f"{side}_model"))
        except (OSError, ValueError) as exc:
            print(f"play_chess: {exc}", file=sys.stderr)
            return EXIT_NO_CONFIG
    settings = GameSettings(
        white=args.white,
        black=args.black,
        max_moves=args.max_moves or None,
        max_tries=args.max_tries,
        svg_dir=args.svg_dir,
        verbose=args.verbose,
        white_llm_config=llm_configs["white"],
        black_llm_config=llm_configs["black"],
    )
    play(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
