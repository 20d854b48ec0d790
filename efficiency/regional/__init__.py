"""Regional studies on top of the scores (issue 18): disparity, distribution dynamics, convergence,
spatial dependence and threshold effects."""
