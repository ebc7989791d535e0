package builder

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/pagination"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

var (
	errUnauthenticated  = errors.New("builder: no caller identity")
	errPermissionDenied = errors.New("builder: only admins list other users' designs")
)

// designService implements DesignService on the store. The owner of every
// read and write is the verified caller from the context, never a field of
// the request.
type designService struct {
	store *store
	now   func() time.Time
}

var _ builderv1connect.DesignServiceHandler = (*designService)(nil)

// owner returns the caller's user id.
func owner(ctx context.Context) (string, error) {
	id, ok := identity.FromContext(ctx)
	if !ok {
		return "", errUnauthenticated
	}
	return id.UserID, nil
}

// price validates and prices a design at quantity 1: the snapshot stored
// with it. A design that breaks a rule never reaches the store.
func price(d *builderv1.Design) (*builderv1.LineQuote, error) {
	line, err := catalog.PriceLine(designToDomain(d), 1)
	if err != nil {
		return nil, err
	}
	return lineToProto(line), nil
}

func (s *designService) CreateDesign(ctx context.Context, req *builderv1.CreateDesignRequest) (*builderv1.CreateDesignResponse, error) {
	ownerID, err := owner(ctx)
	if err != nil {
		return nil, toConnectError(req, "design", err)
	}
	quote, err := price(req.GetDesign())
	if err != nil {
		return nil, toConnectError(req, "design", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, toConnectError(req, "design", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	d := savedDesign{
		ID: id.String(), OwnerID: ownerID, Name: req.GetName(),
		Design: req.GetDesign(), Quote: quote, Version: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.create(ctx, d); err != nil {
		return nil, toConnectError(req, "design", err)
	}
	return &builderv1.CreateDesignResponse{Design: savedToProto(d)}, nil
}

func (s *designService) GetDesign(ctx context.Context, req *builderv1.GetDesignRequest) (*builderv1.GetDesignResponse, error) {
	ownerID, err := owner(ctx)
	if err != nil {
		return nil, toConnectError(req, "", err)
	}
	d, err := s.store.get(ctx, ownerID, pagination.CanonicalUUID(req.GetId()))
	if err != nil {
		return nil, toConnectError(req, "", err)
	}
	return &builderv1.GetDesignResponse{Design: savedToProto(d)}, nil
}

func (s *designService) ListDesigns(ctx context.Context, req *builderv1.ListDesignsRequest) (*builderv1.ListDesignsResponse, error) {
	ownerID, err := owner(ctx)
	if err != nil {
		return nil, toConnectError(req, "", err)
	}
	if other := req.GetOwnerId(); other != "" && other != ownerID {
		// Only admins see other users' designs.
		if caller, _ := identity.FromContext(ctx); !caller.IsAdmin() {
			return nil, toConnectError(req, "", errPermissionDenied)
		}
		ownerID = pagination.CanonicalUUID(other)
	}
	before, err := pagination.After(req.GetPageToken())
	if err != nil {
		return nil, toConnectError(req, "", err)
	}
	size := int(req.GetPageSize())
	if size == 0 {
		size = defaultPageSize
	}
	size = min(size, maxPageSize)
	// One extra row tells whether another page follows.
	designs, err := s.store.list(ctx, ownerID, before, size+1)
	if err != nil {
		return nil, toConnectError(req, "", err)
	}
	res := &builderv1.ListDesignsResponse{}
	if len(designs) > size {
		designs = designs[:size]
		res.NextPageToken = pagination.Token(designs[size-1].ID)
	}
	for _, d := range designs {
		res.Designs = append(res.Designs, savedToProto(d))
	}
	return res, nil
}

func (s *designService) UpdateDesign(ctx context.Context, req *builderv1.UpdateDesignRequest) (*builderv1.UpdateDesignResponse, error) {
	ownerID, err := owner(ctx)
	if err != nil {
		return nil, toConnectError(req, "design", err)
	}
	quote, err := price(req.GetDesign())
	if err != nil {
		return nil, toConnectError(req, "design", err)
	}
	d, err := s.store.update(ctx, savedDesign{
		ID: pagination.CanonicalUUID(req.GetId()), OwnerID: ownerID, Name: req.GetName(),
		Design: req.GetDesign(), Quote: quote,
		UpdatedAt: s.now().UTC().Truncate(time.Microsecond),
	}, req.ExpectedVersion)
	if err != nil {
		return nil, toConnectError(req, "design", err)
	}
	return &builderv1.UpdateDesignResponse{Design: savedToProto(d)}, nil
}

func (s *designService) DeleteDesign(ctx context.Context, req *builderv1.DeleteDesignRequest) (*builderv1.DeleteDesignResponse, error) {
	ownerID, err := owner(ctx)
	if err != nil {
		return nil, toConnectError(req, "", err)
	}
	if err := s.store.delete(ctx, ownerID, pagination.CanonicalUUID(req.GetId())); err != nil {
		return nil, toConnectError(req, "", err)
	}
	return &builderv1.DeleteDesignResponse{}, nil
}
