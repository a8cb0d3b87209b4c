# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""scikit-learn: many fitted estimators and pipelines (with RandomState objects), by pickle and joblib."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
from _common import Out
from sklearn import (
    calibration,
    cluster,
    compose,
    decomposition,
    discriminant_analysis,
    ensemble,
    feature_extraction,
    feature_selection,
    gaussian_process,
    impute,
    isotonic,
    linear_model,
    mixture,
    model_selection,
    naive_bayes,
    neighbors,
    neural_network,
    pipeline,
    preprocessing,
    svm,
    tree,
)

out = Out()
rng = np.random.RandomState(0)
X = rng.normal(size=(60, 4))
y = (X[:, 0] + X[:, 1] > 0).astype(int)
y3 = np.digitize(X[:, 2], [-0.5, 0.5])
yr = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(scale=0.1, size=60)
texts = ["the cat sat", "a dog ran", "the dog sat down", "cats and dogs"] * 5
ty = [0, 1, 1, 0] * 5


def rs(seed: int) -> np.random.RandomState:
    return np.random.RandomState(seed)


def estimators() -> dict[str, object]:
    num = pipeline.Pipeline(
        [("impute", impute.SimpleImputer()), ("scale", preprocessing.StandardScaler())]
    )
    ct = compose.ColumnTransformer(
        [("num", num, [0, 1]), ("bins", preprocessing.KBinsDiscretizer(n_bins=3), [2])],
        remainder="passthrough",
    )
    est: dict[str, object] = {
        "logreg": (linear_model.LogisticRegression(max_iter=200), "c"),
        "logreg_multiclass": (linear_model.LogisticRegression(max_iter=300), "c3"),
        "ridge": (linear_model.Ridge(), "r"),
        "lasso": (linear_model.Lasso(alpha=0.01), "r"),
        "elasticnet": (linear_model.ElasticNet(alpha=0.01), "r"),
        "sgd_rs": (linear_model.SGDClassifier(random_state=rs(1)), "c"),
        "perceptron": (linear_model.Perceptron(random_state=2), "c"),
        "random_forest_rs": (
            ensemble.RandomForestClassifier(n_estimators=5, random_state=rs(3)),
            "c",
        ),
        "random_forest_reg": (ensemble.RandomForestRegressor(n_estimators=5, random_state=4), "r"),
        "extra_trees": (ensemble.ExtraTreesClassifier(n_estimators=5, random_state=5), "c"),
        "gradient_boosting": (
            ensemble.GradientBoostingClassifier(n_estimators=5, random_state=6),
            "c",
        ),
        "gradient_boosting_reg": (
            ensemble.GradientBoostingRegressor(n_estimators=5, loss="huber"),
            "r",
        ),
        "hist_gradient_boosting": (ensemble.HistGradientBoostingClassifier(max_iter=5), "c"),
        "hist_gradient_boosting_reg": (ensemble.HistGradientBoostingRegressor(max_iter=5), "r"),
        "adaboost": (ensemble.AdaBoostClassifier(n_estimators=5, random_state=rs(7)), "c"),
        "bagging": (ensemble.BaggingClassifier(n_estimators=3, random_state=8), "c"),
        "isolation_forest": (ensemble.IsolationForest(n_estimators=5, random_state=rs(9)), "u"),
        "voting": (
            ensemble.VotingClassifier(
                [("lr", linear_model.LogisticRegression()), ("nb", naive_bayes.GaussianNB())],
                voting="soft",
            ),
            "c",
        ),
        "stacking": (
            ensemble.StackingClassifier(
                [("dt", tree.DecisionTreeClassifier(max_depth=2)), ("nb", naive_bayes.GaussianNB())]
            ),
            "c",
        ),
        "decision_tree": (tree.DecisionTreeClassifier(max_depth=3, random_state=rs(10)), "c"),
        "decision_tree_reg": (tree.DecisionTreeRegressor(max_depth=3), "r"),
        "svc_proba": (svm.SVC(probability=True, random_state=11), "c"),
        "linear_svc": (svm.LinearSVC(), "c"),
        "svr": (svm.SVR(), "r"),
        "knn": (neighbors.KNeighborsClassifier(n_neighbors=3), "c"),
        "knn_balltree": (neighbors.KNeighborsRegressor(algorithm="ball_tree"), "r"),
        "nearest_centroid": (neighbors.NearestCentroid(), "c"),
        "gaussian_nb": (naive_bayes.GaussianNB(), "c"),
        "lda": (discriminant_analysis.LinearDiscriminantAnalysis(), "c"),
        "mlp": (
            neural_network.MLPClassifier(hidden_layer_sizes=(5,), max_iter=50, random_state=rs(12)),
            "c",
        ),
        "mlp_reg": (neural_network.MLPRegressor(hidden_layer_sizes=(4,), max_iter=50), "r"),
        "kmeans": (cluster.KMeans(n_clusters=3, n_init=2, random_state=rs(13)), "u"),
        "minibatch_kmeans": (cluster.MiniBatchKMeans(n_clusters=2, n_init=2, random_state=14), "u"),
        "dbscan": (cluster.DBSCAN(), "u"),
        "pca": (decomposition.PCA(n_components=2, random_state=15), "u"),
        "truncated_svd": (decomposition.TruncatedSVD(n_components=2, random_state=rs(16)), "u"),
        "nmf": (decomposition.NMF(n_components=2, max_iter=50, random_state=17), "nonneg"),
        "gaussian_mixture": (mixture.GaussianMixture(n_components=2, random_state=rs(18)), "u"),
        "gaussian_process": (gaussian_process.GaussianProcessRegressor(random_state=19), "r"),
        "isotonic": (isotonic.IsotonicRegression(), "iso"),
        "calibrated": (calibration.CalibratedClassifierCV(naive_bayes.GaussianNB(), cv=3), "c"),
        "standard_scaler": (preprocessing.StandardScaler(), "u"),
        "minmax_scaler": (preprocessing.MinMaxScaler(), "u"),
        "quantile": (preprocessing.QuantileTransformer(n_quantiles=10, random_state=rs(20)), "u"),
        "power": (preprocessing.PowerTransformer(), "u"),
        "polynomial": (preprocessing.PolynomialFeatures(2), "u"),
        "onehot": (preprocessing.OneHotEncoder(handle_unknown="ignore"), "cat"),
        "ordinal": (preprocessing.OrdinalEncoder(), "cat"),
        "label_encoder": (preprocessing.LabelEncoder(), "labels"),
        "label_binarizer": (preprocessing.LabelBinarizer(), "labels"),
        "function_transformer_np": (preprocessing.FunctionTransformer(np.log1p), "nonneg"),
        "simple_imputer": (impute.SimpleImputer(strategy="median"), "u"),
        "knn_imputer": (impute.KNNImputer(), "u"),
        "select_kbest": (feature_selection.SelectKBest(feature_selection.f_classif, k=2), "c"),
        "select_mutual_info": (
            feature_selection.SelectKBest(feature_selection.mutual_info_classif, k=2),
            "c",
        ),
        "rfe": (
            feature_selection.RFE(linear_model.LogisticRegression(), n_features_to_select=2),
            "c",
        ),
        "variance_threshold": (feature_selection.VarianceThreshold(), "u"),
        "tfidf": (feature_extraction.text.TfidfVectorizer(stop_words="english"), "text"),
        "count_vectorizer": (feature_extraction.text.CountVectorizer(ngram_range=(1, 2)), "text"),
        "hashing_vectorizer": (feature_extraction.text.HashingVectorizer(n_features=32), "text"),
        "dict_vectorizer": (feature_extraction.DictVectorizer(), "dicts"),
        "pipeline_text": (
            pipeline.make_pipeline(
                feature_extraction.text.TfidfVectorizer(), linear_model.LogisticRegression()
            ),
            "textc",
        ),
        "pipeline_columns": (
            pipeline.Pipeline(
                [
                    ("ct", ct),
                    ("rf", ensemble.RandomForestClassifier(n_estimators=3, random_state=rs(21))),
                ]
            ),
            "c",
        ),
        "pipeline_union": (
            pipeline.make_pipeline(
                pipeline.make_union(decomposition.PCA(1), preprocessing.PolynomialFeatures(2)),
                linear_model.LogisticRegression(max_iter=300),
            ),
            "c",
        ),
        "transformed_target": (
            compose.TransformedTargetRegressor(
                regressor=linear_model.Ridge(), func=np.log1p, inverse_func=np.expm1
            ),
            "rpos",
        ),
        "grid_search": (
            model_selection.GridSearchCV(
                svm.SVC(), {"C": [0.1, 1.0], "kernel": ["linear", "rbf"]}, cv=3
            ),
            "c",
        ),
        "randomized_search": (
            model_selection.RandomizedSearchCV(
                tree.DecisionTreeClassifier(),
                {"max_depth": [1, 2, 3]},
                n_iter=2,
                cv=3,
                random_state=rs(22),
            ),
            "c",
        ),
    }
    return est


def fit(est: object, kind: str) -> object:
    if kind == "c":
        return est.fit(X, y)
    if kind == "c3":
        return est.fit(X, y3)
    if kind == "r":
        return est.fit(X, yr)
    if kind == "rpos":
        return est.fit(X, np.abs(yr) + 0.1)
    if kind == "u":
        return est.fit(X)
    if kind == "nonneg":
        return est.fit(np.abs(X))
    if kind == "iso":
        return est.fit(X[:, 0], yr)
    if kind == "cat":
        return est.fit(np.array([["a", "x"], ["b", "y"], ["a", "y"]], dtype=object))
    if kind == "labels":
        return est.fit(["spam", "ham", "eggs", "ham"])
    if kind == "text":
        return est.fit(texts)
    if kind == "textc":
        return est.fit(texts, ty)
    if kind == "dicts":
        return est.fit([{"a": 1, "b": "x"}, {"a": 2, "c": 3.0}])
    raise ValueError(kind)


def save(name: str, est: object, kind: str) -> None:
    model = fit(est, kind)
    typ = f"{type(model).__module__}.{type(model).__qualname__}"
    rel = f"pickle/{name}.pkl"
    with out.path(rel).open("wb") as f:
        pickle.dump(model, f)
    out.add(rel, "pickle.dump", typ)
    rel = f"joblib/{name}.joblib"
    joblib.dump(model, out.path(rel))
    out.add(rel, f"joblib.dump (joblib {joblib.__version__})", typ)


def main() -> None:
    for name, (est, kind) in estimators().items():
        out.run(name, lambda n=name, e=est, k=kind: save(n, e, k))
    out.run("joblib_compress", _compressed)
    out.run("trees", _trees)
    out.run("proto2", _proto2)


def _compressed() -> None:
    model = fit(ensemble.RandomForestClassifier(n_estimators=4, random_state=rs(30)), "c")
    for comp, ext in (
        (3, "joblib"),
        (("gzip", 3), "joblib.gz"),
        (("lzma", 3), "joblib.xz"),
        (("bz2", 3), "joblib.bz2"),
    ):
        rel = f"joblib_compressed/rf.{ext}"
        joblib.dump(model, out.path(rel), compress=comp)
        out.add(rel, f"joblib.dump(compress={comp!r})", "RandomForestClassifier")


def _trees() -> None:
    for cls in (neighbors.KDTree, neighbors.BallTree):
        rel = f"pickle/{cls.__name__}.pkl"
        with out.path(rel).open("wb") as f:
            pickle.dump(cls(X), f)
        out.add(rel, "pickle.dump", f"sklearn.neighbors.{cls.__name__}")


def _proto2() -> None:
    model = fit(linear_model.LogisticRegression(), "c")
    rel = "pickle/logreg_protocol2.pkl"
    with out.path(rel).open("wb") as f:
        pickle.dump(model, f, protocol=2)
    out.add(rel, "pickle.dump(protocol=2)", "LogisticRegression")


main()
out.finish()
