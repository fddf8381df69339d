"""The chess side of conversational chess: the board, the move rules and how the game ends.

Nothing here knows about agents: :class:`ChessGame` wraps a ``chess.Board`` (python-chess) and answers in plain
text, which the board proxy agent hands back to the players as tool results.

The game ends on checkmate, stalemate, insufficient material, the 75-move and fivefold-repetition rules, the
fifty-move and threefold-repetition rules (claimed automatically), the move limit, or a forfeit (a player who
resigns or fails to make a legal move).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import chess
import chess.pgn
import chess.svg

__all__ = ["COLOR_NAMES", "ChessGame", "GameOver", "MoveResult"]

COLOR_NAMES = {chess.WHITE: "white", chess.BLACK: "black"}

_TERMINATION_TEXT = {
    chess.Termination.CHECKMATE: "checkmate",
    chess.Termination.STALEMATE: "stalemate",
    chess.Termination.INSUFFICIENT_MATERIAL: "insufficient material",
    chess.Termination.SEVENTYFIVE_MOVES: "seventy-five-move rule",
    chess.Termination.FIVEFOLD_REPETITION: "fivefold repetition",
    chess.Termination.FIFTY_MOVES: "fifty-move rule",
    chess.Termination.THREEFOLD_REPETITION: "threefold repetition",
}


@dataclass(frozen=True)
class GameOver:
    """How a game ended: ``result`` in PGN notation ("1-0", "0-1", "1/2-1/2", or "*" when unfinished)."""

    result: str
    reason: str

    @property
    def winner(self) -> Optional[str]:
        return {"1-0": "white", "0-1": "black"}.get(self.result)

    def describe(self) -> str:
        if self.winner:
            return f"{self.result}: {self.winner} wins by {self.reason}"
        if self.result == "1/2-1/2":
            return f"{self.result}: draw by {self.reason}"
        return f"{self.result}: game stopped ({self.reason})"


@dataclass(frozen=True)
class MoveResult:
    """The answer to a move request; ``message`` is what the player is told."""

    moved: bool
    message: str
    uci: Optional[str] = None
    san: Optional[str] = None
    number: Optional[str] = None
    """The move's number as written in a score sheet: "12." for white's 12th move, "12..." for black's."""


class ChessGame:
    """A game of chess between "white" and "black", played one move request at a time.

    Each player's turn starts with :meth:`begin_turn`; :meth:`make_move` then accepts one legal move and refuses
    any further one until the next turn starts (so a player cannot move twice, e.g. with two tool calls at once).

    Args:
        max_moves: stop the game after this many moves in total (a move by white and one by black count as
            two); None for no limit.
        svg_dir: when set, the board is saved there as an SVG picture at the start and after every move.
        fen: the starting position (default: the standard one).
    """

    def __init__(
        self,
        *,
        max_moves: Optional[int] = 100,
        svg_dir: Optional[Union[str, Path]] = None,
        fen: Optional[str] = None,
    ) -> None:
        if max_moves is not None and max_moves < 1:
            raise ValueError(f"max_moves must be at least 1 (or None for no limit), got {max_moves}.")
        self.board = chess.Board(fen) if fen else chess.Board()
        self.max_moves = max_moves
        self.svg_dir = Path(svg_dir) if svg_dir is not None else None
        self.svg_files: list[Path] = []
        self.san_moves: list[str] = []  # the moves played through make_move, in standard algebraic notation
        self._forfeit: Optional[GameOver] = None
        self._turn_start_ply = 0
        if self.svg_dir is not None:
            self.svg_dir.mkdir(parents=True, exist_ok=True)
            self._save_svg("start")

    # ------------------------------------------------------------------------------------------------ state --
    @property
    def to_play(self) -> str:
        """The side to move: "white" or "black"."""
        return COLOR_NAMES[self.board.turn]

    @property
    def moves_played(self) -> int:
        return len(self.board.move_stack)

    @property
    def uci_moves(self) -> list[str]:
        return [move.uci() for move in self.board.move_stack]

    def legal_moves(self) -> list[str]:
        """The legal moves of the side to play, in UCI, sorted (empty once the game is over)."""
        if self.is_over:
            return []
        return sorted(move.uci() for move in self.board.legal_moves)

    def legal_moves_text(self) -> str:
        if self.is_over:
            return f"The game is over ({self.outcome().describe()}): no more moves."  # type: ignore[union-attr]
        moves = self.legal_moves()
        return f"Legal moves for {self.to_play} ({len(moves)}), in UCI: {', '.join(moves)}"

    # ------------------------------------------------------------------------------------------------ turns --
    def begin_turn(self) -> None:
        """Mark the start of a player's turn (see :attr:`moved_this_turn`)."""
        self._turn_start_ply = self.moves_played

    @property
    def moved_this_turn(self) -> bool:
        return self.moves_played > self._turn_start_ply

    @property
    def turn_finished(self) -> bool:
        """The player whose turn it was has moved, or the game is over."""
        return self.moved_this_turn or self.is_over

    def make_move(self, text: str) -> MoveResult:
        """Play ``text`` (a move in UCI such as "e2e4" or "e7e8q") for the side to play, if it is legal."""
        if self.is_over:
            return MoveResult(False, f"The game is over ({self.outcome().describe()}): no more moves.")  # type: ignore[union-attr]
        if self.moved_this_turn:
            last = self.board.peek().uci()
            return MoveResult(False, f"You have already moved this turn ({last}); wait for your opponent.")
        uci = text.strip().lower()
        side = self.to_play
        try:
            move = chess.Move.from_uci(uci)
        except ValueError:
            move = None
        if move is None or move not in self.board.legal_moves:
            what = "not a move in UCI format" if move is None else "illegal"
            return MoveResult(False, f"Refused: {text.strip()!r} is {what} for {side}. {self.legal_moves_text()}")
        san = self.board.san(move)
        number = f"{self.board.fullmove_number}{'.' if self.board.turn == chess.WHITE else '...'}"
        self.board.push(move)
        self.san_moves.append(san)
        self._save_svg(uci)
        message = f"Moved: {side} played {uci} ({san})."
        outcome = self.outcome()
        if outcome is not None:
            message += f" The game is over: {outcome.describe()}."
        elif self.board.is_check():
            message += f" {self.to_play.capitalize()} is in check."
        return MoveResult(True, message, uci, san, number)

    def forfeit(self, side: str, reason: str) -> None:
        """``side`` loses the game (it resigned, or could not make a legal move)."""
        if self.is_over:
            return
        self._forfeit = GameOver("0-1" if side == "white" else "1-0", f"{side} {reason}")

    # ------------------------------------------------------------------------------------------------- end --
    def outcome(self) -> Optional[GameOver]:
        """How the game ended, or None while it goes on. Draws by the fifty-move and threefold-repetition rules
        are claimed as soon as they may be."""
        if self._forfeit is not None:
            return self._forfeit
        outcome = self.board.outcome(claim_draw=True)
        if outcome is not None:
            reason = _TERMINATION_TEXT.get(outcome.termination, outcome.termination.name.lower().replace("_", " "))
            return GameOver(outcome.result(), reason)
        if self.max_moves is not None and self.moves_played >= self.max_moves:
            return GameOver("*", f"move limit of {self.max_moves} moves reached")
        return None

    @property
    def is_over(self) -> bool:
        return self.outcome() is not None

    # ------------------------------------------------------------------------------------------- rendering --
    def render(self) -> str:
        """The board as text, white at the bottom, with the files and ranks labelled."""
        rows = []
        for rank in range(7, -1, -1):
            cells = []
            for file in range(8):
                piece = self.board.piece_at(chess.square(file, rank))
                cells.append(piece.symbol() if piece else ".")
            rows.append(f"{rank + 1} {' '.join(cells)}")
        rows.append("  a b c d e f g h")
        return "\n".join(rows)

    def pgn(self, white: str = "white", black: str = "black") -> str:
        """The game so far in PGN."""
        game = chess.pgn.Game.from_board(self.board)
        game.headers["Event"] = "Conversational chess"
        game.headers["White"] = white
        game.headers["Black"] = black
        outcome = self.outcome()
        game.headers["Result"] = outcome.result if outcome else "*"
        return str(game)

    def _save_svg(self, label: str) -> None:
        if self.svg_dir is None:
            return
        last = self.board.peek() if self.board.move_stack else None
        picture = chess.svg.board(self.board, lastmove=last, size=400)
        path = self.svg_dir / f"{self.moves_played:03d}_{label}.svg"
        path.write_text(picture, encoding="utf-8")
        self.svg_files.append(path)
