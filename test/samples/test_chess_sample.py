"""samples/apps/conversational-chess: games played to their end by scripted LLM players (the local LLM server)
and by scripted humans, plus the rules of the board."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer
from samples_support import CHESS_DIR, run_script

from autogen.io import IOStream

pytest.importorskip("chess", reason="the conversational chess sample needs python-chess (pip install chess)")

from chess_game import ChessGame, GameOver  # noqa: E402
from play_chess import GameSettings, build_match, play  # noqa: E402

SCRIPT = CHESS_DIR / "play_chess.py"
FOOLS_MATE = "1. f3 e5 2. g4 Qh4# 0-1"


def _color(body: dict[str, Any]) -> str:
    return "white" if "with the white pieces" in body["messages"][0]["content"] else "black"


def scripted_players(moves: dict[str, list[str]]) -> Callable[[dict[str, Any]], Any]:
    """A responder playing like an LLM player: it asks for the legal moves first, then makes the next scripted
    move (the next one again after a refusal); once the move is made it says something to its opponent."""
    queues = {color: list(sequence) for color, sequence in moves.items()}

    def respond(body: dict[str, Any]) -> Any:
        color = _color(body)
        last = body["messages"][-1]
        if last["role"] == "tool" and last["content"].startswith("Moved"):
            return f"Your turn, my friend. ({color})"
        if last["role"] == "tool":  # the legal moves, or a refusal: make the next scripted move
            return {"tool_calls": [{"name": "make_move", "arguments": {"move": queues[color].pop(0)}}]}
        return {"content": "Let me look at my options.", "tool_calls": [{"name": "get_legal_moves", "arguments": {}}]}

    return respond


def first_legal_move_players(body: dict[str, Any]) -> Any:
    """A responder that reads the legal moves from the conversation and plays the first one."""
    last = body["messages"][-1]
    if last["role"] == "tool" and last["content"].startswith("Legal moves"):
        first = last["content"].split("in UCI: ", 1)[1].split(", ")[0]
        return {"tool_calls": [{"name": "make_move", "arguments": {"move": first}}]}
    if last["role"] == "tool":
        return "Done."
    return {"tool_calls": [{"name": "get_legal_moves", "arguments": {}}]}


def llm_settings(llm_server: LLMServer, **kwargs: Any) -> GameSettings:
    config = llm_server.llm_config()
    return GameSettings(white_llm_config=config, black_llm_config=config, **kwargs)


def _tool_results(llm_server: LLMServer) -> list[str]:
    return [b["messages"][-1]["content"] for b in llm_server.chat_requests() if b["messages"][-1]["role"] == "tool"]


# --------------------------------------------------------------------------------------------- full games --
def test_fools_mate_between_llm_players(llm_server: LLMServer, tmp_path: Path) -> None:
    # black first tries an illegal move, which the board proxy refuses with the list of legal moves
    llm_server.responder = scripted_players({"white": ["f2f3", "g2g4"], "black": ["e7e4", "e7e5", "d8h4"]})
    io = ScriptedIO()
    with IOStream.set_default(io):
        report = play(llm_settings(llm_server, svg_dir=str(tmp_path / "boards")))

    assert report.outcome == GameOver("0-1", "checkmate")
    assert report.outcome.winner == "black"
    assert report.moves == ["f2f3", "e7e5", "g2g4", "d8h4"]
    assert report.san_moves == ["f3", "e5", "g4", "Qh4#"]
    assert FOOLS_MATE in report.pgn
    assert "=== Game over: 0-1: black wins by checkmate" in io.output

    results = _tool_results(llm_server)
    (refusal,) = [r for r in results if r.startswith("Refused")]
    assert refusal.startswith("Refused: 'e7e4' is illegal for black. Legal moves for black (20), in UCI: ")
    assert "e7e5" in refusal.split("in UCI: ")[1].split(", ")
    assert ">>> black tried 'e7e4': refused" in io.output
    assert results[-1] == "Moved: black played d8h4 (Qh4#). The game is over: 0-1: black wins by checkmate."

    bodies = llm_server.chat_requests()
    # 4 turns of (legal moves, move, remark) and one refused move; the mating player still had its say
    assert len(bodies) == 13
    assert all({t["function"]["name"] for t in b["tools"]} == {"get_legal_moves", "make_move"} for b in bodies)
    remarks = [m for m in report.chat_result.chat_history if m.get("content", "").startswith("Your turn")]
    assert len(remarks) == 4
    turn_prompt = bodies[-3]["messages"][1]["content"]  # black's last turn starts with the position
    assert turn_prompt.startswith("Move 2: you are black, and it is your turn.")
    assert "Your opponent (white) played g2g4 (g4)." in turn_prompt
    assert 'white says: "Your turn, my friend. (white)"' in turn_prompt

    # one picture of the board at the start and one per move
    assert [p.name for p in report.svg_files] == [
        "000_start.svg",
        "001_f2f3.svg",
        "002_e7e5.svg",
        "003_g2g4.svg",
        "004_d8h4.svg",
    ]
    assert all(p.read_text().lstrip().startswith("<svg") for p in report.svg_files)


def test_the_game_stops_at_the_move_limit(llm_server: LLMServer) -> None:
    llm_server.responder = first_legal_move_players
    with IOStream.set_default(ScriptedIO()):
        report = play(llm_settings(llm_server, max_moves=5))
    assert report.outcome == GameOver("*", "move limit of 5 moves reached")
    assert report.moves == ["a2a3", "a7a5", "a1a2", "a5a4", "a2a1"]
    assert report.pgn.rstrip().endswith("*")
    assert len(llm_server.chat_requests()) == 5 * 3


def test_a_player_that_never_moves_forfeits(llm_server: LLMServer) -> None:
    def respond(body: dict[str, Any]) -> Any:
        if _color(body) == "black":
            return "Hmm, chess is hard. Let me think some more."  # never calls a tool
        return first_legal_move_players(body)

    llm_server.responder = respond
    with IOStream.set_default(ScriptedIO()):
        report = play(llm_settings(llm_server, max_tries=3))
    assert report.outcome == GameOver("1-0", "black made no legal move in 3 tries")
    assert report.moves == ["a2a3"]
    black_bodies = [b for b in llm_server.chat_requests() if _color(b) == "black"]
    assert len(black_bodies) == 4  # the turn prompt, then three nudges from the board proxy
    assert black_bodies[-1]["messages"][-1]["content"].startswith("Please make your move with make_move")


def test_a_human_against_an_llm(llm_server: LLMServer) -> None:
    llm_server.responder = scripted_players({"black": ["e7e5", "d8h4"]})
    io = ScriptedIO(["moves", "help", "f2f3 Let's go!", "", "f2f4", "g2g4 Bring it on."])
    with IOStream.set_default(io):
        report = play(GameSettings(white="human", black_llm_config=llm_server.llm_config()))

    assert report.outcome == GameOver("0-1", "checkmate")
    assert FOOLS_MATE in report.pgn
    assert io.prompts == ["white to play> "] * 6
    # the human saw the position, the legal moves, and the refusal of the illegal f2f4
    assert "Move 1: you are white, and it is your turn." in io.output
    assert "Type your move in UCI" in io.output
    assert "Legal moves for white (20), in UCI: a2a3" in io.output
    assert "Refused: 'f2f4' is illegal for white." in io.output
    # the human's remarks reached the LLM opponent
    black_prompts = [b["messages"][1]["content"] for b in llm_server.chat_requests() if len(b["messages"]) == 2]
    assert 'white says: "Let\'s go!"' in black_prompts[0]
    assert 'white says: "Bring it on."' in black_prompts[1]


def test_a_human_may_resign(llm_server: LLMServer) -> None:
    llm_server.responder = first_legal_move_players
    io = ScriptedIO(["e2e4", "resign Too strong for me."])
    with IOStream.set_default(io):
        report = play(GameSettings(white="llm", black="human", white_llm_config=llm_server.llm_config()))
    assert report.outcome == GameOver("1-0", "black resigned")
    assert report.moves == ["a2a3"]
    assert "Refused: 'e2e4' is illegal for black." in io.output
    assert report.chat_result.chat_history[-1]["content"] == "Too strong for me."


def test_the_script_with_two_llm_players(llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.responder = first_legal_move_players
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(json.dumps(llm_server.config_list()))
    done = run_script(SCRIPT, ["--max-moves", "4", "--svg-dir", "boards"], {"OAI_CONFIG_LIST": str(config)}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "=== Game over: *: game stopped (move limit of 4 moves reached)" in done.stdout
    assert "1. a3 a5 2. Ra2 a4 *" in done.stdout
    assert len(list((tmp_path / "boards").glob("*.svg"))) == 5


def test_the_script_with_two_humans_needs_no_model(tmp_path: Path) -> None:
    moves = "f2f3\ne7e5 Careful now.\ng2g4\nd8h4 Checkmate!\n"
    done = run_script(SCRIPT, ["--white", "human", "--black", "human"], {"OAI_CONFIG_LIST": ""}, tmp_path, stdin=moves)
    assert done.returncode == 0, done.stderr
    assert "=== Game over: 0-1: black wins by checkmate" in done.stdout
    assert FOOLS_MATE in done.stdout
    assert "Checkmate!" in done.stdout


def test_settings_are_checked(llm_server: LLMServer) -> None:
    with pytest.raises(ValueError, match="white player must be one of"):
        GameSettings(white="robot", black="human")
    with pytest.raises(ValueError, match="give it an llm_config"):
        GameSettings(white="llm", black="human")
    match = build_match(GameSettings(white="human", black="human"))
    assert (match.white.name, match.black.name, match.board_proxy.name) == ("white", "black", "board_proxy")


# ------------------------------------------------------------------------------------------------ rules --
def _play(game: ChessGame, *moves: str) -> Optional[GameOver]:
    for move in moves:
        game.begin_turn()
        result = game.make_move(move)
        assert result.moved, result.message
    return game.outcome()


def test_illegal_and_malformed_moves_are_refused_with_the_legal_ones() -> None:
    game = ChessGame()
    game.begin_turn()
    refused = game.make_move("e2e5")
    assert not refused.moved
    assert refused.message.startswith("Refused: 'e2e5' is illegal for white. Legal moves for white (20), in UCI: ")
    assert refused.message.endswith("g2g4, h2h3, h2h4")
    assert "not a move in UCI format" in game.make_move("knight to f3").message
    assert game.make_move(" E2E4 ").moved  # spaces and capitals are forgiven
    again = game.make_move("d2d4")
    assert not again.moved and "already moved this turn (e2e4)" in again.message
    assert game.to_play == "black" and game.moves_played == 1


def test_stalemate_is_a_draw() -> None:
    game = ChessGame(fen="7k/4Q3/6K1/8/8/8/8/8 w - - 0 1")
    assert _play(game, "e7f7") == GameOver("1/2-1/2", "stalemate")
    assert game.legal_moves() == []
    assert game.make_move("h8g8").message.startswith("The game is over (1/2-1/2: draw by stalemate)")


def test_insufficient_material_is_a_draw() -> None:
    game = ChessGame(fen="k7/8/8/8/8/8/1r6/K7 w - - 0 1")  # the white king takes the last black rook
    assert _play(game, "a1b2") == GameOver("1/2-1/2", "insufficient material")


def test_threefold_repetition_is_claimed() -> None:
    game = ChessGame()
    shuffle = ["g1f3", "g8f6", "f3g1", "f6g8"]
    assert _play(game, *shuffle, "g1f3", "g8f6") is None
    # the next position would be on the board for the third time: the draw is claimed at once
    assert _play(game, "f3g1") == GameOver("1/2-1/2", "threefold repetition")


def test_the_move_limit_and_the_board_text() -> None:
    game = ChessGame(max_moves=2)
    assert _play(game, "e2e4") is None
    assert _play(game, "e7e5") == GameOver("*", "move limit of 2 moves reached")
    assert game.render().splitlines() == [
        "8 r n b q k b n r",
        "7 p p p p . p p p",
        "6 . . . . . . . .",
        "5 . . . . p . . .",
        "4 . . . . P . . .",
        "3 . . . . . . . .",
        "2 P P P P . P P P",
        "1 R N B Q K B N R",
        "  a b c d e f g h",
    ]
    with pytest.raises(ValueError, match="max_moves must be at least 1"):
        ChessGame(max_moves=0)
